<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Delivery;

/** One parcel: grams and millimetres, within what the bridge accepts. */
final class Package
{
    public const MAX_WEIGHT = 150000;
    public const MAX_SIDE = 3000;

    public readonly int $weight;
    public readonly int $length;
    public readonly int $width;
    public readonly int $height;

    public function __construct(float|int $weight, float|int $length, float|int $width, float|int $height)
    {
        $this->weight = self::clamp($weight, self::MAX_WEIGHT);
        $this->length = self::clamp($length, self::MAX_SIDE);
        $this->width = self::clamp($width, self::MAX_SIDE);
        $this->height = self::clamp($height, self::MAX_SIDE);
    }

    /** @return array{weight: int, length: int, width: int, height: int} */
    public function toArray(): array
    {
        return ['weight' => $this->weight, 'length' => $this->length, 'width' => $this->width, 'height' => $this->height];
    }

    private static function clamp(float|int $value, int $max): int
    {
        return max(1, min($max, (int) ceil($value)));
    }
}
