<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket;

/**
 * Marks the saves the module makes itself (tracking numbers, statuses and partial acceptance
 * pushed by the bridge), so that the order events they fire do not send the shipment again.
 */
final class LoopGuard
{
    private static int $depth = 0;

    private function __construct()
    {
    }

    /**
     * @template T
     * @param callable(): T $work
     * @return T
     */
    public static function run(callable $work): mixed
    {
        ++self::$depth;
        try {
            return $work();
        } finally {
            --self::$depth;
        }
    }

    public static function active(): bool
    {
        return self::$depth > 0;
    }
}
