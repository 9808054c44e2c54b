<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Tests\Unit;

use Bitrix\Sale\Delivery\Services\Manager;
use OzonBridge\OzonRocket\Bridge\TransportException;
use OzonBridge\OzonRocket\Delivery\OzonRocketProfile;
use OzonBridge\OzonRocket\Delivery\ProfileType;
use OzonBridge\OzonRocket\Tests\FakeTransport;
use OzonBridge\OzonRocket\Tests\ModuleTestCase;
use OzonBridge\OzonRocket\Tests\Shop;

/** calculateConcrete() as the checkout runs it: Manager::getObjectById($profileId)->calculate($shipment). */
final class DeliveryCalculationTest extends ModuleTestCase
{
    private const TO_ADDRESS = [
        'options' => [
            ['option_id' => 'opt_courier_std', 'delivery_type' => 'courier', 'tariff' => 'Courier standard', 'price' => 310.0, 'currency' => 'RUB', 'days_min' => 1, 'days_max' => 2],
            ['option_id' => 'opt_next_day', 'delivery_type' => 'next_day', 'tariff' => 'Next Day', 'price' => 530.0, 'currency' => 'RUB', 'days_min' => 1, 'days_max' => 1],
        ],
        'selected' => ['option_id' => 'opt_courier_std', 'delivery_type' => 'courier', 'tariff' => 'Courier standard', 'price' => 310.0, 'days_min' => 1, 'days_max' => 2, 'description' => 'Ozon Rocket курьером, 1–2 дня'],
        'cached' => false,
        'fallback' => false,
    ];

    public function testTheCourierProfileShowsTheBridgesSelectedPriceAndPeriod(): void
    {
        $shop = Shop::install();
        $this->bridgeAnswers(static fn () => FakeTransport::json(200, self::TO_ADDRESS));
        [, $shipment] = $shop->order(ProfileType::COURIER);

        $result = $this->profile($shop, ProfileType::COURIER)->calculate($shipment);

        self::assertTrue($result->isSuccess(), implode('; ', $result->getErrorMessages()));
        self::assertSame(310.0, $result->getDeliveryPrice());
        self::assertSame(1, $result->getPeriodFrom());
        self::assertSame(2, $result->getPeriodTo());
        self::assertSame('D', $result->getPeriodType());
        self::assertSame('Ozon Rocket курьером, 1–2 дня', $result->getPeriodDescription());

        $request = $this->bridge->to('POST', '/api/v1/calculate')[0];
        self::assertSame([
            'shop_id' => Shop::SHOP_ID,
            'bitrix_delivery_id' => $shop->handlerId,
            'delivery_type' => 'to_address',
            'address' => ['city' => 'Москва', 'street' => 'Тверская ул., 7', 'apartment' => '12', 'zip' => '125009'],
            'packages' => [['weight' => 2000, 'length' => 300, 'width' => 200, 'height' => 300]],
            'declared_value' => 4990.0,
            'payment_method' => 'prepaid',
        ], $request['body']);
        self::assertSame('Bearer ' . Shop::TOKEN, $request['headers']['Authorization']);
        self::assertSame(4.0, $request['timeout']);
    }

    public function testNextDayTakesItsOwnOptionAndSharesTheCouriersBridgeCall(): void
    {
        $shop = Shop::install();
        $this->bridgeAnswers(static fn () => FakeTransport::json(200, self::TO_ADDRESS));
        [, $shipment] = $shop->order(ProfileType::COURIER);

        $courier = $this->profile($shop, ProfileType::COURIER)->calculate($shipment);
        $nextDay = $this->profile($shop, ProfileType::NEXT_DAY)->calculate($shipment);

        self::assertSame(310.0, $courier->getDeliveryPrice());
        self::assertSame(530.0, $nextDay->getDeliveryPrice());
        self::assertSame('1 дн.', $nextDay->getPeriodDescription());
        self::assertCount(1, $this->bridge->to('POST', '/api/v1/calculate'), 'one page, one bridge call for the same address');
    }

    public function testThePickupProfileAsksForAPointFirstWithoutCallingTheBridge(): void
    {
        $shop = Shop::install();
        [, $shipment] = $shop->order(ProfileType::PICKUP_POINT);

        $result = $this->profile($shop, ProfileType::PICKUP_POINT)->calculate($shipment);

        self::assertSame(['Выберите пункт выдачи Ozon Rocket.'], $result->getErrorMessages());
        self::assertSame([], $this->bridge->to('POST', '/api/v1/calculate'));
    }

    public function testThePickupProfileCalculatesToTheChosenPoint(): void
    {
        $shop = Shop::install();
        $this->bridgeAnswers(static fn () => FakeTransport::json(200, [
            'options' => [['option_id' => 'opt_pickup_point', 'delivery_type' => 'pickup_point', 'tariff' => 'Pickup point', 'price' => 170.0, 'days_min' => 1, 'days_max' => 3]],
            'selected' => ['option_id' => 'opt_pickup_point', 'delivery_type' => 'pickup_point', 'tariff' => 'Pickup point', 'price' => 170.0, 'days_min' => 1, 'days_max' => 3, 'description' => 'Ozon Rocket в пункт выдачи, 1–3 дня'],
            'cached' => false,
        ]));
        [, $shipment] = $shop->order(ProfileType::PICKUP_POINT, ['pickupPoint' => 'PVZ-77-000123']);

        $result = $this->profile($shop, ProfileType::PICKUP_POINT)->calculate($shipment);

        self::assertSame(170.0, $result->getDeliveryPrice());
        self::assertSame('Пункт выдачи: PVZ-77-000123', $result->getDescription());
        $body = $this->bridge->to('POST', '/api/v1/calculate')[0]['body'];
        self::assertSame('to_pickup_point', $body['delivery_type']);
        self::assertSame('PVZ-77-000123', $body['pickup_point_id']);
        self::assertArrayNotHasKey('address', $body);
    }

    public function testABridgeThatIsDownGivesAnErrorLineNotAnExceptionAndIsAskedOncePerPage(): void
    {
        $shop = Shop::install();
        $this->bridgeAnswers(static fn () => new TransportException('Connection refused'));
        [, $shipment] = $shop->order(ProfileType::COURIER, ['pickupPoint' => 'PVZ-77-000123']);

        $results = [];
        foreach (ProfileType::ALL as $type) {
            $results[$type] = $this->profile($shop, $type)->calculate($shipment);
        }

        foreach ($results as $result) {
            self::assertFalse($result->isSuccess());
            self::assertSame(['Доставка Ozon Rocket временно недоступна, выберите другой способ или повторите позже.'], $result->getErrorMessages());
        }
        self::assertCount(1, $this->bridge->to('POST', '/api/v1/calculate'), 'a dead bridge is not waited for three times');
        self::assertContains('CALCULATE_FAILED', $this->logger->events());
    }

    public function testTheBridgesRefusalIsShownWithItsDetail(): void
    {
        $shop = Shop::install();
        $this->bridgeAnswers(static fn () => FakeTransport::problem(422, 'Ozon Rocket rejected the calculation: pickup point not found'));
        [, $shipment] = $shop->order(ProfileType::PICKUP_POINT, ['pickupPoint' => 'PVZ-nope']);

        $result = $this->profile($shop, ProfileType::PICKUP_POINT)->calculate($shipment);

        self::assertSame(['Не удалось рассчитать доставку Ozon Rocket: Ozon Rocket rejected the calculation: pickup point not found'], $result->getErrorMessages());
    }

    public function testNoOptionOfTheProfilesTypeMeansNoDeliveryThisWay(): void
    {
        $shop = Shop::install();
        $this->bridgeAnswers(static fn () => FakeTransport::json(200, ['options' => [], 'selected' => null, 'cached' => false]));
        [, $shipment] = $shop->order(ProfileType::COURIER);

        $result = $this->profile($shop, ProfileType::COURIER)->calculate($shipment);

        self::assertSame(['Ozon Rocket не доставляет этим способом по этому адресу.'], $result->getErrorMessages());
    }

    public function testTheFallbackPriceServesEveryProfileWhenOzonIsUnreachable(): void
    {
        $shop = Shop::install();
        $this->bridgeAnswers(static fn () => FakeTransport::json(200, [
            'options' => [],
            'selected' => ['option_id' => 'fallback', 'delivery_type' => null, 'tariff' => 'Fallback price', 'price' => 399.0, 'days_min' => null, 'days_max' => null, 'description' => 'Ozon Rocket: срок уточнит менеджер'],
            'cached' => false,
            'fallback' => true,
        ]));
        [, $shipment] = $shop->order(ProfileType::COURIER);

        $result = $this->profile($shop, ProfileType::NEXT_DAY)->calculate($shipment);

        self::assertSame(399.0, $result->getDeliveryPrice());
        self::assertNull($result->getPeriodFrom());
        self::assertSame('Ozon Rocket: срок уточнит менеджер', $result->getPeriodDescription());
    }

    public function testWithoutWeightsOrSizesTheBridgeUsesTheServicesDefaultPackage(): void
    {
        $shop = Shop::install();
        $this->bridgeAnswers(static fn () => FakeTransport::json(200, self::TO_ADDRESS));
        [$order, $shipment] = $shop->order(ProfileType::COURIER, ['dimensions' => false]);
        foreach ($order->getBasket() as $item) {
            $item->setField('WEIGHT', 0);
        }

        $this->profile($shop, ProfileType::COURIER)->calculate($shipment);

        self::assertArrayNotHasKey('packages', $this->bridge->to('POST', '/api/v1/calculate')[0]['body']);
    }

    public function testCompatibilityNeedsNoNetwork(): void
    {
        $shop = Shop::install();
        [, $shipment] = $shop->order(ProfileType::COURIER);
        $this->bridge->requests = [];

        self::assertTrue($this->profile($shop, ProfileType::COURIER)->isCompatible($shipment));
        $shipment->setField('CURRENCY', 'USD');
        self::assertFalse($this->profile($shop, ProfileType::COURIER)->isCompatible($shipment));
        $shipment->setField('CURRENCY', 'RUB');
        $shipment->setField('WEIGHT', 150001);
        self::assertFalse($this->profile($shop, ProfileType::COURIER)->isCompatible($shipment));
        self::assertSame([], $this->bridge->requests);
    }

    public function testAProfileOfAnUnconfiguredServiceIsNotOffered(): void
    {
        $shop = Shop::install(['MAIN' => ['SHOP_TOKEN' => '']]);
        [, $shipment] = $shop->order(ProfileType::COURIER);

        self::assertFalse($this->profile($shop, ProfileType::COURIER)->isCompatible($shipment));
    }

    private function profile(Shop $shop, string $type): OzonRocketProfile
    {
        $profile = Manager::getObjectById($shop->profileIds[$type]);
        self::assertInstanceOf(OzonRocketProfile::class, $profile);

        return $profile;
    }
}
