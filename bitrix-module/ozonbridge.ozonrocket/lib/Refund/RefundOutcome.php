<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Refund;

use OzonBridge\OzonRocket\Money;

/** The `refund` of the ozonrocket.partial.apply answer: what moved the money, if anything did. */
final class RefundOutcome
{
    public const DONE = 'done';
    public const INNER_ACCOUNT = 'inner_account';
    public const MANUAL = 'manual';

    public function __construct(
        public readonly string $status,
        public readonly int $amountKopecks,
        public readonly ?int $paymentId,
        public readonly string $paySystem,
        public readonly string $detail,
    ) {
    }

    /** An outcome stored by toArray() (the operation table keeps it between calls). */
    public static function fromArray(array $stored): self
    {
        $paymentId = $stored['paymentId'] ?? null;

        return new self(
            (string) ($stored['status'] ?? self::MANUAL),
            Money::toKopecks($stored['amount'] ?? 0) ?? 0,
            is_numeric($paymentId) ? (int) $paymentId : null,
            (string) ($stored['paySystem'] ?? ''),
            (string) ($stored['detail'] ?? ''),
        );
    }

    /** @return array<string, mixed> */
    public function toArray(): array
    {
        return [
            'status' => $this->status,
            'amount' => Money::toFloat($this->amountKopecks),
            'paymentId' => $this->paymentId,
            'paySystem' => $this->paySystem,
            'detail' => $this->detail,
        ];
    }
}
