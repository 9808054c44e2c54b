<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Mapper;

use OzonBridge\OzonRocket\Delivery\Package;
use OzonBridge\OzonRocket\Order\OrderSnapshot;

/**
 * One parcel for a shipment. Weight: the shipment's, else the goods', else the default package's.
 * Size: goods stacked (longest and widest side of any item, heights added up) when every item has
 * dimensions; otherwise the default package's size.
 */
final class PackageEstimator
{
    private function __construct()
    {
    }

    /** null when nothing is known: the bridge then uses the service's default package. */
    public static function estimate(OrderSnapshot $snapshot, Package $default): ?Package
    {
        $weight = $snapshot->weightGrams;
        if ($weight <= 0) {
            foreach ($snapshot->lines as $line) {
                $weight += $line->unitWeightGrams * $line->quantity;
            }
        }
        $size = self::stackedSize($snapshot);
        if ($weight <= 0 && $size === null) {
            return null;
        }
        [$length, $width, $height] = $size ?? [$default->length, $default->width, $default->height];

        return new Package($weight > 0 ? $weight : $default->weight, $length, $width, $height);
    }

    /** @return array{float, float, float}|null */
    private static function stackedSize(OrderSnapshot $snapshot): ?array
    {
        if ($snapshot->lines === []) {
            return null;
        }
        $length = $width = $height = 0.0;
        foreach ($snapshot->lines as $line) {
            if ($line->dimensions === null) {
                return null;
            }
            $sides = array_values($line->dimensions);
            rsort($sides);
            $length = max($length, $sides[0]);
            $width = max($width, $sides[1]);
            $height += $sides[2] * max(1.0, $line->quantity);
        }

        return [$length, $width, $height];
    }
}
