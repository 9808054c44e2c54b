<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Tests;

use Bitrix\Sale\BasketItem;
use Bitrix\Sale\Delivery\Services\Manager;
use Bitrix\Sale\Order;
use Bitrix\Sale\Payment;
use Bitrix\Sale\PaySystem\Service;
use Bitrix\Sale\Shipment;
use OzonBridge\OzonRocket\Delivery\OzonRocketHandler;
use OzonBridge\OzonRocket\Delivery\ProfileType;

/**
 * A Bitrix shop in the stand-ins: an Ozon Rocket delivery service (added the way the admin page
 * adds it, so onAfterAdd creates the profiles and mirrors the settings) and orders.
 */
final class Shop
{
    public const BRIDGE = 'https://bridge.example.ru';
    public const SHOP_ID = '3f1c1f0e-8a64-4a39-9f2e-3f6f1c1f0e8a';
    public const TOKEN = 'ors_shop_token';
    public const COD_PAY_SYSTEM = 9;
    public const CARD_PAY_SYSTEM = 3;

    /** @param array<string, int> $profileIds profile type => delivery id */
    private function __construct(public readonly int $handlerId, public readonly array $profileIds)
    {
    }

    /** @param array<string, array<string, string>> $overrides section => [key => value] */
    public static function config(array $overrides = []): array
    {
        $config = [
            'MAIN' => [
                'BRIDGE_URL' => self::BRIDGE,
                'SHOP_ID' => self::SHOP_ID,
                'SHOP_TOKEN' => self::TOKEN,
                'TIMEOUT' => '4',
                'OZON_API_KEY' => 'sandbox-key-a1b2',
                'SELLER_ID' => 'seller-1',
                'DEFAULT_WAREHOUSE_ID' => 'WH-1',
                'PARTIAL_ACCEPT' => 'Y',
            ],
            'PACKAGE' => ['WEIGHT' => '1000', 'LENGTH' => '200', 'WIDTH' => '150', 'HEIGHT' => '100'],
            'PRICING' => [
                'STRATEGY' => 'cheapest',
                'FIXED_DELIVERY_TYPE' => '',
                'MARKUP_PERCENT' => '10',
                'MARKUP_FIXED' => '0',
                'FREE_DELIVERY_FROM' => '',
                'ROUNDING' => 'ceil_10',
                'FALLBACK_PRICE' => '',
            ],
        ];
        foreach ($overrides as $section => $values) {
            $config[$section] = $values + $config[$section];
        }

        return $config;
    }

    /** @param array<string, array<string, string>> $overrides */
    public static function install(array $overrides = []): self
    {
        $handlerId = (int) Manager::add([
            'NAME' => 'Ozon Rocket',
            'ACTIVE' => 'Y',
            'CURRENCY' => 'RUB',
            'CLASS_NAME' => '\\' . OzonRocketHandler::class,
            'CONFIG' => self::config($overrides),
        ])->getId();
        $profiles = [];
        foreach (Manager::$services as $id => $service) {
            if ((int) ($service['PARENT_ID'] ?? 0) === $handlerId) {
                $profiles[(string) $service['CONFIG']['MAIN']['PROFILE_TYPE']] = (int) $id;
            }
        }

        return new self($handlerId, $profiles);
    }

    /**
     * A saved order of a mug (2 × 500) and a kettle (1 × 3990) with one shipment by the profile.
     *
     * @param array{paid?: bool, cod?: bool, pickupPoint?: string, city?: string, phone?: string, status?: string, allowDelivery?: string, deliveryPrice?: float, deducted?: bool, quantity?: float, refundable?: bool, userId?: int, dimensions?: bool} $options
     * @return array{Order, Shipment}
     */
    public function order(string $profileType = ProfileType::COURIER, array $options = []): array
    {
        $order = new Order(['STATUS_ID' => $options['status'] ?? 'N', 'USER_ID' => $options['userId'] ?? 7]);
        $dimensions = ($options['dimensions'] ?? true) ? serialize(['LENGTH' => 300, 'WIDTH' => 200, 'HEIGHT' => 100]) : '';
        $mug = $order->getBasket()->add(new BasketItem([
            'PRODUCT_ID' => 501, 'PRODUCT_XML_ID' => 'A-100', 'NAME' => 'Кружка', 'QUANTITY' => $options['quantity'] ?? 2,
            'PRICE' => 500.0, 'WEIGHT' => 400, 'DIMENSIONS' => $dimensions,
        ]));
        $kettle = $order->getBasket()->add(new BasketItem([
            'PRODUCT_ID' => 502, 'PRODUCT_XML_ID' => '', 'NAME' => 'Чайник', 'QUANTITY' => 1,
            'PRICE' => 3990.0, 'WEIGHT' => 1200, 'DIMENSIONS' => $dimensions,
        ]));
        $properties = $order->getPropertyCollection();
        $properties->add('FIO', 'Иван Петров', 'IS_PAYER');
        $properties->add('PHONE', $options['phone'] ?? '8 (916) 123-45-67', 'IS_PHONE');
        $properties->add('EMAIL', 'ivan@example.ru', 'IS_EMAIL');
        $properties->add('CITY', $options['city'] ?? 'Москва');
        $properties->add('LOCATION', '0000073738', 'IS_LOCATION');
        $properties->add('ADDRESS', 'Тверская ул., 7', 'IS_ADDRESS');
        $properties->add('APARTMENT', '12');
        $properties->add('ZIP', '125009', 'IS_ZIP');
        $properties->add('OZON_PVZ', $options['pickupPoint'] ?? '');

        $deliveryPrice = $options['deliveryPrice'] ?? 349.9;
        $shipment = $order->getShipmentCollection()->add(new Shipment([
            'DELIVERY_ID' => $this->profileIds[$profileType],
            'ALLOW_DELIVERY' => $options['allowDelivery'] ?? 'N',
            'PRICE_DELIVERY' => $deliveryPrice,
            'BASE_PRICE_DELIVERY' => $deliveryPrice,
            'DEDUCTED' => 'N',
            'WEIGHT' => 0,
        ]));
        $shipment->getShipmentItemCollection()->add($mug, $mug->getQuantity());
        $shipment->getShipmentItemCollection()->add($kettle, 1);

        $total = $mug->getPrice() * $mug->getQuantity() + 3990.0 + $deliveryPrice;
        if ($options['cod'] ?? false) {
            $order->getPaymentCollection()->add(new Payment(
                ['PAY_SYSTEM_ID' => self::COD_PAY_SYSTEM, 'PAY_SYSTEM_NAME' => 'Наличными курьеру', 'SUM' => $total, 'PAID' => 'N'],
                new Service(false),
            ));
        } else {
            $order->getPaymentCollection()->add(new Payment(
                ['PAY_SYSTEM_ID' => self::CARD_PAY_SYSTEM, 'PAY_SYSTEM_NAME' => 'Банковская карта', 'SUM' => $total, 'PAID' => ($options['paid'] ?? true) ? 'Y' : 'N'],
                new Service($options['refundable'] ?? true),
            ));
        }
        $result = $order->save();
        if (!$result->isSuccess()) {
            throw new \RuntimeException(implode('; ', $result->getErrorMessages()));
        }
        if ($options['deducted'] ?? false) {
            $shipment->setField('DEDUCTED', 'Y');
            $order->save();
        }
        $order = Order::load($order->getId());

        return [$order, $order->getShipmentCollection()->getItemById($shipment->getId())];
    }
}
