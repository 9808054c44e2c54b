<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Bridge;

/** Where the bridge is and who the shop is there: URL, shop id, shop token, timeouts. */
final class BridgeEndpoint
{
    public const CONNECT_TIMEOUT = 2.0;
    /** Shipments wait on Ozon (the bridge allows it 15 s); not a checkout page. */
    public const SLOW_TIMEOUT = 20.0;

    public function __construct(
        public readonly string $baseUrl,
        public readonly string $shopId,
        public readonly string $token,
        public readonly float $calculateTimeout = 4.0,
    ) {
    }

    public function isComplete(): bool
    {
        return preg_match('#^https?://[^/\s]+#i', $this->baseUrl) === 1
            && $this->shopId !== ''
            && $this->token !== '';
    }

    public function url(string $path): string
    {
        return rtrim($this->baseUrl, '/') . $path;
    }
}
