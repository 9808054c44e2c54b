<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Tests\Unit;

use OzonBridge\OzonRocket\Delivery\Package;
use OzonBridge\OzonRocket\Delivery\ProfileType;
use OzonBridge\OzonRocket\Delivery\ServiceConfig;
use OzonBridge\OzonRocket\Mapper\MappingException;
use OzonBridge\OzonRocket\Mapper\PackageEstimator;
use OzonBridge\OzonRocket\Mapper\ShipmentRequestMapper;
use OzonBridge\OzonRocket\Options;
use OzonBridge\OzonRocket\Order\OrderReader;
use OzonBridge\OzonRocket\Order\OrderSnapshot;
use OzonBridge\OzonRocket\Tests\ModuleTestCase;
use OzonBridge\OzonRocket\Tests\Shop;

final class ShipmentRequestMapperTest extends ModuleTestCase
{
    public function testAPrepaidCourierOrderBecomesTheBridgesShipmentCreate(): void
    {
        $shop = Shop::install();
        [$order, $shipment] = $shop->order(ProfileType::COURIER);
        [$mug, $kettle] = iterator_to_array($order->getBasket());

        $body = ShipmentRequestMapper::map($this->read($shipment), $this->config($shop), ProfileType::COURIER);

        self::assertSame([
            'shop_id' => Shop::SHOP_ID,
            'bitrix_delivery_id' => $shop->handlerId,
            'bitrix_order_id' => $order->getId(),
            'bitrix_shipment_id' => $shipment->getId(),
            'delivery_type' => 'courier',
            'recipient' => ['name' => 'Иван Петров', 'phone' => '8 (916) 123-45-67', 'email' => 'ivan@example.ru'],
            'address' => ['city' => 'Москва', 'street' => 'Тверская ул., 7', 'apartment' => '12', 'zip' => '125009'],
            'packages' => [['weight' => 2000, 'length' => 300, 'width' => 200, 'height' => 300]],
            'items' => [
                ['bitrix_basket_item_id' => $mug->getId(), 'sku' => 'A-100', 'name' => 'Кружка', 'quantity' => 2, 'price' => 500.0, 'declared_price' => 500.0],
                ['bitrix_basket_item_id' => $kettle->getId(), 'sku' => '502', 'name' => 'Чайник', 'quantity' => 1, 'price' => 3990.0, 'declared_price' => 3990.0],
            ],
            'payment_method' => 'prepaid',
            'paid_amount' => 5339.9,
            'delivery_price' => 349.9,
            'declared_value' => 4990.0,
        ], $body);
    }

    public function testAnUnpaidOrderOfACashOnDeliveryPaySystemIsCashOnDelivery(): void
    {
        $this->useOptions(new Options(codPaySystemIds: [Shop::COD_PAY_SYSTEM]));
        $shop = Shop::install();
        [, $shipment] = $shop->order(ProfileType::PICKUP_POINT, ['cod' => true, 'pickupPoint' => 'PVZ-77-000123']);

        $body = ShipmentRequestMapper::map($this->read($shipment), $this->config($shop), ProfileType::PICKUP_POINT);

        self::assertSame('cash_on_delivery', $body['payment_method']);
        self::assertSame(0.0, $body['paid_amount']);
        self::assertSame('PVZ-77-000123', $body['pickup_point_id']);
        self::assertSame('pickup_point', $body['delivery_type']);
    }

    public function testTheSameCashPaySystemOnceItIsPaidIsPrepaid(): void
    {
        $this->useOptions(new Options(codPaySystemIds: [Shop::CARD_PAY_SYSTEM]));
        $shop = Shop::install();
        [, $shipment] = $shop->order(ProfileType::COURIER, ['paid' => true]);

        self::assertSame('prepaid', $this->read($shipment)->paymentMethod);
    }

    public function testFractionalQuantitiesAreRefusedWithTheGoodsName(): void
    {
        $shop = Shop::install();
        [, $shipment] = $shop->order(ProfileType::COURIER, ['quantity' => 1.5]);

        $this->expectException(MappingException::class);
        $this->expectExceptionMessage('Ozon Rocket принимает только целое количество: «Кружка» — 1.5.');
        ShipmentRequestMapper::map($this->read($shipment), $this->config($shop), ProfileType::COURIER);
    }

    public function testAPickupShipmentWithoutAPointIsRefused(): void
    {
        $shop = Shop::install();
        [, $shipment] = $shop->order(ProfileType::PICKUP_POINT);

        $this->expectExceptionMessage('Не выбран пункт выдачи (свойство заказа).');
        ShipmentRequestMapper::map($this->read($shipment), $this->config($shop), ProfileType::PICKUP_POINT);
    }

    public function testAMissingPhoneIsRefused(): void
    {
        $shop = Shop::install();
        [, $shipment] = $shop->order(ProfileType::COURIER, ['phone' => '']);

        $this->expectExceptionMessage('Не указан телефон получателя.');
        ShipmentRequestMapper::map($this->read($shipment), $this->config($shop), ProfileType::COURIER);
    }

    public function testTheCityComesFromTheLocationWhenThereIsNoCityProperty(): void
    {
        $shop = Shop::install();
        [, $shipment] = $shop->order(ProfileType::COURIER, ['city' => '']);
        $reader = new OrderReader(new Options(), static fn (string $code): string => $code === '0000073738' ? 'Москва' : '');

        self::assertSame('Москва', $reader->read($shipment)->address->city);
    }

    public function testThePackageStacksGoodsAndKeepsWithinTheBridgesLimits(): void
    {
        $shop = Shop::install();
        [, $shipment] = $shop->order(ProfileType::COURIER);
        $snapshot = $this->read($shipment);
        $default = new Package(1000, 200, 150, 100);

        self::assertSame(['weight' => 2000, 'length' => 300, 'width' => 200, 'height' => 300], PackageEstimator::estimate($snapshot, $default)?->toArray());
        $heavy = new OrderSnapshot(1, 1, 1, 'RUB', 999999, $snapshot->lines, $snapshot->address, '', 'x', '1', '', 'prepaid', 0);
        self::assertSame(150000, PackageEstimator::estimate($heavy, $default)?->weight);
    }

    public function testDuplicateSkusStayApart(): void
    {
        $shop = Shop::install();
        [$order, $shipment] = $shop->order(ProfileType::COURIER);
        foreach ($order->getBasket() as $item) {
            $item->setField('PRODUCT_XML_ID', 'SAME');
        }

        $items = ShipmentRequestMapper::map($this->read($shipment), $this->config($shop), ProfileType::COURIER)['items'];

        self::assertSame('SAME', $items[0]['sku']);
        self::assertSame('SAME#' . $items[1]['bitrix_basket_item_id'], $items[1]['sku']);
    }

    private function read(\Bitrix\Sale\Shipment $shipment): OrderSnapshot
    {
        return (new OrderReader(\OzonBridge\OzonRocket\Services::options(), static fn (): string => ''))->read($shipment);
    }

    private function config(Shop $shop): ServiceConfig
    {
        return ServiceConfig::fromConfig($shop->handlerId, Shop::config());
    }
}
