<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Order;

/** The delivery address as the bridge takes it; empty strings for what the order does not have. */
final class Address
{
    public function __construct(
        public readonly string $city,
        public readonly string $street = '',
        public readonly string $house = '',
        public readonly string $apartment = '',
        public readonly string $zip = '',
    ) {
    }

    /** @return array<string, string> the bridge's address object, empty fields left out */
    public function toArray(): array
    {
        $fields = [
            'city' => mb_substr($this->city, 0, 200),
            'street' => mb_substr($this->street, 0, 300),
            'house' => mb_substr($this->house, 0, 50),
            'apartment' => mb_substr($this->apartment, 0, 50),
            'zip' => mb_substr($this->zip, 0, 12),
        ];

        return array_filter($fields, static fn (string $v): bool => $v !== '');
    }
}
