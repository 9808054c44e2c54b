<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Delivery;

use Bitrix\Sale\Delivery\Services\Manager;

/** A Bitrix delivery id → our profile and its parent's settings, or null for anyone else's. */
final class DeliveryLookup
{
    private function __construct()
    {
    }

    public static function profile(int $deliveryId): ?OzonRocketProfile
    {
        if ($deliveryId <= 0) {
            return null;
        }
        try {
            $service = Manager::getObjectById($deliveryId);
        } catch (\Throwable) {
            return null;
        }

        return $service instanceof OzonRocketProfile && $service->handler() !== null ? $service : null;
    }
}
