<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Storage;

/** How far one ozonrocket.partial.apply operation got, and what it answered. */
final class OperationRecord
{
    /** Claimed; nothing is saved and no money moved yet. */
    public const APPLYING = 'applying';
    /** A pay system's refund is being called (answer: paymentId); its outcome is not known yet. */
    public const REFUNDING = 'refunding';
    /** The refund outcome is decided (answer: refund) and Order::save() runs; it may have happened. */
    public const SAVING = 'saving';
    /** A call stopped on an error after the refund was decided or tried: the next call finishes it. */
    public const RETRY = 'retry';
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

    /** A process may be working on it right now (unless it died: see the caller's staleness rule). */
    public function isInProgress(): bool
    {
        return in_array($this->stage, [self::APPLYING, self::REFUNDING, self::SAVING], true);
    }

    /** Nothing irreversible happened: no refund was tried and no save was started. */
    public function isUntouched(): bool
    {
        return $this->stage === self::APPLYING;
    }

    /** The refund outcome decided by an earlier call, when there is one (null inside: no refund). */
    public function hasDecidedRefund(): bool
    {
        return array_key_exists('refund', $this->answer);
    }
}
