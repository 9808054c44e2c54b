<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket;

use Bitrix\Main\Config\Option;

/** The module's own settings (Settings → Module settings → Ozon Rocket), typed. */
final class Options
{
    public const TRIGGER_OFF = 'off';
    public const TRIGGER_STATUS = 'status';
    public const TRIGGER_ALLOW_DELIVERY = 'allow_delivery';

    public const DELIVERY_PRICE_FROM_BRIDGE = 'bridge';
    public const DELIVERY_PRICE_KEEP = 'keep';

    /** Option name => default, as stored in b_option (strings only). */
    public const DEFAULTS = [
        'shipment_trigger' => self::TRIGGER_ALLOW_DELIVERY,
        'shipment_trigger_status' => '',
        'cod_pay_systems' => '',
        'pickup_property_code' => Module::DEFAULT_PICKUP_PROPERTY_CODE,
        'city_property_code' => 'CITY',
        'refund_to_inner_account' => 'Y',
        'manual_refund_status' => '',
        'partial_delivery_price' => self::DELIVERY_PRICE_FROM_BRIDGE,
    ];

    /**
     * @param list<int> $codPaySystemIds
     */
    public function __construct(
        public readonly string $shipmentTrigger = self::TRIGGER_ALLOW_DELIVERY,
        public readonly string $shipmentTriggerStatus = '',
        public readonly array $codPaySystemIds = [],
        public readonly string $pickupPropertyCode = Module::DEFAULT_PICKUP_PROPERTY_CODE,
        public readonly string $cityPropertyCode = 'CITY',
        public readonly bool $refundToInnerAccount = true,
        public readonly string $manualRefundStatus = '',
        public readonly string $partialDeliveryPrice = self::DELIVERY_PRICE_FROM_BRIDGE,
    ) {
    }

    /** @param array<string, string> $values option name => stored value */
    public static function fromArray(array $values): self
    {
        $get = static fn (string $name): string => trim((string) ($values[$name] ?? self::DEFAULTS[$name]));
        $trigger = $get('shipment_trigger');
        if (!in_array($trigger, [self::TRIGGER_OFF, self::TRIGGER_STATUS, self::TRIGGER_ALLOW_DELIVERY], true)) {
            $trigger = self::TRIGGER_OFF;
        }
        $deliveryPrice = $get('partial_delivery_price') === self::DELIVERY_PRICE_KEEP
            ? self::DELIVERY_PRICE_KEEP
            : self::DELIVERY_PRICE_FROM_BRIDGE;

        return new self(
            shipmentTrigger: $trigger,
            shipmentTriggerStatus: $get('shipment_trigger_status'),
            codPaySystemIds: self::idList($get('cod_pay_systems')),
            pickupPropertyCode: $get('pickup_property_code') ?: Module::DEFAULT_PICKUP_PROPERTY_CODE,
            cityPropertyCode: $get('city_property_code'),
            refundToInnerAccount: $get('refund_to_inner_account') !== 'N',
            manualRefundStatus: $get('manual_refund_status'),
            partialDeliveryPrice: $deliveryPrice,
        );
    }

    /** Reads the stored options (Bitrix falls back to default_option.php). */
    public static function load(): self
    {
        $values = [];
        foreach (self::DEFAULTS as $name => $default) {
            $values[$name] = (string) Option::get(Module::ID, $name, $default);
        }

        return self::fromArray($values);
    }

    /** "3, 7,x" → [3, 7] */
    public static function idList(string $raw): array
    {
        $ids = [];
        foreach (preg_split('/[\s,;]+/', $raw) ?: [] as $part) {
            if (ctype_digit($part) && (int) $part > 0) {
                $ids[] = (int) $part;
            }
        }

        return array_values(array_unique($ids));
    }

    public function isCashOnDelivery(int $paySystemId): bool
    {
        return in_array($paySystemId, $this->codPaySystemIds, true);
    }
}
