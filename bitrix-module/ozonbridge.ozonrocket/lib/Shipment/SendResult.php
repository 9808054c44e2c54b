<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Shipment;

use OzonBridge\OzonRocket\Bridge\ShipmentAnswer;

/** What became of one attempt to hand a shipment to the bridge. */
final class SendResult
{
    public const SENT = 'sent';
    public const SKIPPED = 'skipped';
    public const NOT_OURS = 'not_ours';
    public const FAILED = 'failed';

    private function __construct(
        public readonly string $outcome,
        public readonly string $message = '',
        public readonly ?ShipmentAnswer $answer = null,
    ) {
    }

    public static function sent(ShipmentAnswer $answer): self
    {
        return new self(self::SENT, '', $answer);
    }

    public static function skipped(): self
    {
        return new self(self::SKIPPED);
    }

    public static function notOurs(): self
    {
        return new self(self::NOT_OURS);
    }

    public static function failed(string $message): self
    {
        return new self(self::FAILED, $message);
    }

    /** The shipment's fields changed and the order needs saving. */
    public function changedShipment(): bool
    {
        return $this->outcome === self::SENT || $this->outcome === self::FAILED;
    }
}
