<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Bridge;

final class TransportResponse
{
    public function __construct(
        public readonly int $status,
        public readonly string $body,
        public readonly string $contentType = 'application/json',
    ) {
    }
}
