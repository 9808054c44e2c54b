<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Delivery;

use OzonBridge\OzonRocket\Messages;

/** The three ways Ozon Rocket delivers, one Bitrix profile each; values as the bridge names them. */
final class ProfileType
{
    public const COURIER = 'courier';
    public const PICKUP_POINT = 'pickup_point';
    public const NEXT_DAY = 'next_day';

    public const ALL = [self::COURIER, self::PICKUP_POINT, self::NEXT_DAY];

    private function __construct()
    {
    }

    public static function isValid(mixed $type): bool
    {
        return in_array($type, self::ALL, true);
    }

    /** The bridge's calculate `delivery_type`. */
    public static function destination(string $type): string
    {
        return $type === self::PICKUP_POINT ? 'to_pickup_point' : 'to_address';
    }

    public static function title(string $type): string
    {
        return Messages::get('OZONROCKET_PROFILE_' . strtoupper($type));
    }

    /** @return array<string, string> type => title, for Base::getProfilesList() */
    public static function titles(): array
    {
        $titles = [];
        foreach (self::ALL as $type) {
            $titles[$type] = self::title($type);
        }

        return $titles;
    }
}
