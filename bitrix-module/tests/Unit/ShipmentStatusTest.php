<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Tests\Unit;

use Bitrix\Rest\RestException;
use Bitrix\Sale\Order;
use OzonBridge\OzonRocket\Delivery\ProfileType;
use OzonBridge\OzonRocket\Rest\RestService;
use OzonBridge\OzonRocket\Tests\ModuleTestCase;
use OzonBridge\OzonRocket\Tests\Shop;

/** ozonrocket.shipment.status: status and tracking without the sale.shipment.update traps. */
final class ShipmentStatusTest extends ModuleTestCase
{
    public function testStatusAndTrackingChangeAndEverythingElseStays(): void
    {
        [$order, $shipment] = Shop::install()->order(ProfileType::COURIER, ['allowDelivery' => 'Y']);
        $before = $shipment->getFieldValues();

        $answer = RestService::shipmentStatus(['shipmentId' => $shipment->getId(), 'statusId' => 'OT', 'trackingNumber' => 'OZR123456789RU', 'orderStatusId' => null]);

        self::assertSame(['shipmentId' => $shipment->getId(), 'statusId' => 'OT', 'trackingNumber' => 'OZR123456789RU'], $answer);
        $after = Order::load($order->getId())?->getShipmentCollection()->getItemById($shipment->getId())?->getFieldValues() ?? [];
        foreach (['DELIVERY_ID', 'ALLOW_DELIVERY', 'DEDUCTED', 'PRICE_DELIVERY', 'BASE_PRICE_DELIVERY'] as $kept) {
            self::assertSame($before[$kept], $after[$kept], $kept);
        }
        self::assertSame('N', Order::load($order->getId())?->getField('STATUS_ID'));
    }

    public function testTheOrderStatusChangesWhenGiven(): void
    {
        [$order, $shipment] = Shop::install()->order(ProfileType::COURIER);

        RestService::shipmentStatus(['shipmentId' => (string) $shipment->getId(), 'statusId' => 'DF', 'orderStatusId' => 'F']);

        self::assertSame('F', Order::load($order->getId())?->getField('STATUS_ID'));
    }

    /** @dataProvider badCalls */
    public function testBadCallsAreErrors(array $query, string $code): void
    {
        [, $shipment] = Shop::install()->order(ProfileType::COURIER);
        $query += ['shipmentId' => $shipment->getId(), 'statusId' => 'OT'];

        try {
            RestService::shipmentStatus($query);
            self::fail('no error');
        } catch (RestException $e) {
            self::assertSame($code, $e->getErrorCode());
        }
    }

    /** @return iterable<string, array{array<string, mixed>, string}> */
    public static function badCalls(): iterable
    {
        yield 'unknown shipment' => [['shipmentId' => 987654], 'OZONROCKET_ORDER_NOT_FOUND'];
        yield 'unknown delivery status' => [['statusId' => 'ZZ'], 'OZONROCKET_BAD_REQUEST'];
        yield 'unknown order status' => [['orderStatusId' => 'ZZ'], 'OZONROCKET_BAD_REQUEST'];
    }

    public function testALockedOrderIsAnError(): void
    {
        [$order, $shipment] = Shop::install()->order(ProfileType::COURIER);
        Order::$locked[$order->getId()] = true;

        $this->expectException(RestException::class);
        RestService::shipmentStatus(['shipmentId' => $shipment->getId(), 'statusId' => 'OT']);
    }
}
