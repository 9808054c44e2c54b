<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Tests\Unit;

use OzonBridge\OzonRocket\Delivery\ServiceConfig;
use OzonBridge\OzonRocket\Money;
use OzonBridge\OzonRocket\Tests\Shop;
use PHPUnit\Framework\TestCase;

final class ServiceConfigTest extends TestCase
{
    public function testTheAdminsSettingsBecomeTheBridgesDeliveryServiceBodyExactly(): void
    {
        $config = ServiceConfig::fromConfig(12, Shop::config([
            'MAIN' => ['PARTIAL_ACCEPT' => 'N'],
            'PRICING' => ['STRATEGY' => 'fixed', 'FIXED_DELIVERY_TYPE' => 'pickup_point', 'MARKUP_PERCENT' => '12,5', 'MARKUP_FIXED' => '-50', 'FREE_DELIVERY_FROM' => '5000', 'FALLBACK_PRICE' => '399.90', 'ROUNDING' => 'ceil_50'],
            'PACKAGE' => ['WEIGHT' => '1500.4'],
        ]));

        self::assertSame([
            'params' => ['OZON_API_KEY' => 'sandbox-key-a1b2', 'SELLER_ID' => 'seller-1', 'DEFAULT_WAREHOUSE_ID' => 'WH-1', 'PARTIAL_ACCEPT' => false],
            'pricing' => [
                'strategy' => 'fixed',
                'fixed_delivery_type' => 'pickup_point',
                'markup_percent' => 12.5,
                'markup_fixed' => -50.0,
                'free_delivery_from' => 5000.0,
                'rounding' => 'ceil_50',
                'fallback_price' => 399.9,
            ],
            'default_package' => ['weight' => 1501, 'length' => 200, 'width' => 150, 'height' => 100],
        ], $config->toBridgePayload());
        self::assertSame([], $config->problems());
    }

    public function testEmptyOptionalPricesAreNullAndTheFixedTypeOnlyGoesWithTheFixedStrategy(): void
    {
        $payload = ServiceConfig::fromConfig(12, Shop::config(['PRICING' => ['FIXED_DELIVERY_TYPE' => 'courier']]))->toBridgePayload();

        self::assertNull($payload['pricing']['free_delivery_from']);
        self::assertNull($payload['pricing']['fallback_price']);
        self::assertNull($payload['pricing']['fixed_delivery_type']);
        self::assertTrue($payload['params']['PARTIAL_ACCEPT']);
    }

    public function testMissingSettingsAreNamedBeforeAnythingIsSent(): void
    {
        $config = ServiceConfig::fromConfig(12, Shop::config([
            'MAIN' => ['SHOP_TOKEN' => '', 'OZON_API_KEY' => 'abc'],
            'PRICING' => ['STRATEGY' => 'fixed'],
        ]));

        self::assertSame([
            'Не заданы адрес моста, ID магазина или токен.',
            'Не заданы OZON_API_KEY (не короче 4 символов), SELLER_ID или DEFAULT_WAREHOUSE_ID.',
            'Для стратегии «только указанный тип» выберите тип доставки.',
        ], $config->problems());
    }

    public function testAnUnusableTimeoutFallsBackToTheDefault(): void
    {
        self::assertSame(ServiceConfig::DEFAULT_TIMEOUT, ServiceConfig::fromConfig(1, Shop::config(['MAIN' => ['TIMEOUT' => '600']]))->endpoint->calculateTimeout);
        self::assertSame(2.5, ServiceConfig::fromConfig(1, Shop::config(['MAIN' => ['TIMEOUT' => '2,5']]))->endpoint->calculateTimeout);
    }

    public function testMoneyIsExactToTheKopeck(): void
    {
        self::assertSame(174680, Money::toKopecks('1 746,80'));
        self::assertSame(174680, Money::toKopecks(1746.8));
        self::assertSame(35, Money::toKopecks('0.345'));
        self::assertSame(-5000, Money::toKopecks('-50'));
        self::assertNull(Money::toKopecks('12abc'));
        self::assertSame('1 746.80', Money::format(174680));
        self::assertSame(0.3, Money::toFloat(Money::toKopecks(0.1 + 0.2)));
    }
}
