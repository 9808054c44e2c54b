<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Storage;

/** How far one ozonrocket.partial.apply operation got, and what it answered. */
final class OperationRecord
{
    /** Claimed; the basket change may or may not have been saved. */
    public const APPLYING = 'applying';
    /** The basket change is saved; the refund is not tried yet. */
    public const BASKET_SAVED = 'basket_saved';
    /** The refund was being tried: never try it again, its outcome is not known. */
    public const REFUNDING = 'refunding';
    public const DONE = 'done';

    /** @param array<string, mixed> $answer what is known so far; the final answer once DONE */
    public function __construct(
        public readonly string $operationId,
        public readonly int $orderId,
        public readonly string $stage,
        public readonly array $answer,
        public readonly int $updatedAt,
    ) {
    }
}
