<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Tests\Unit;

use Bitrix\Sale\Order;
use OzonBridge\OzonRocket\Delivery\ProfileType;
use OzonBridge\OzonRocket\Options;
use OzonBridge\OzonRocket\Rest\RestService;
use OzonBridge\OzonRocket\Tests\FakeTransport;
use OzonBridge\OzonRocket\Tests\ModuleTestCase;
use OzonBridge\OzonRocket\Tests\Shop;

/** Shipments reach the bridge on the shop's trigger, once, through the events Bitrix fires on save. */
final class OrderEventsTest extends ModuleTestCase
{
    /** @var array<int, array<string, mixed>> bitrix shipment id => the bridge's shipment */
    private array $created = [];
    private ?string $ozonOrderId = 'RKT-4F2A9C';

    protected function setUp(): void
    {
        parent::setUp();
        $this->bridgeAnswers(function (string $method, string $path, mixed $body) {
            if ($method === 'PUT') {
                return FakeTransport::json(201, []);
            }
            if ($method === 'POST' && $path === '/api/v1/shipments') {
                $first = !isset($this->created[$body['bitrix_shipment_id']]);
                $this->created[$body['bitrix_shipment_id']] ??= [
                    'id' => 'bridge-' . $body['bitrix_shipment_id'],
                    'bitrix_order_id' => $body['bitrix_order_id'],
                    'bitrix_shipment_id' => $body['bitrix_shipment_id'],
                    'ozon_order_id' => $this->ozonOrderId,
                    'tracking_number' => $this->ozonOrderId !== null ? 'OZR678820683RU' : null,
                    'status' => $this->ozonOrderId !== null ? 'created' : 'pending',
                ];

                return FakeTransport::json($first ? 201 : 200, $this->created[$body['bitrix_shipment_id']]);
            }

            return FakeTransport::problem(404, 'Not Found');
        });
    }

    public function testAllowingDeliverySendsTheShipmentAndStoresTheOzonOrderAndTracking(): void
    {
        $shop = Shop::install();
        [$order, $shipment] = $shop->order(ProfileType::COURIER);

        $shipment->setField('ALLOW_DELIVERY', 'Y');
        self::assertTrue($order->save()->isSuccess());

        $posts = $this->bridge->to('POST', '/api/v1/shipments');
        self::assertCount(1, $posts);
        self::assertSame($shipment->getId(), $posts[0]['body']['bitrix_shipment_id']);
        $saved = Order::load($order->getId())?->getShipmentCollection()->getItemById($shipment->getId());
        self::assertSame('RKT-4F2A9C', $saved?->getField('DELIVERY_DOC_NUM'));
        self::assertSame('OZR678820683RU', $saved?->getField('TRACKING_NUMBER'));
    }

    public function testTheConfiguredOrderStatusSendsAndOtherStatusesDoNot(): void
    {
        $this->useOptions(new Options(shipmentTrigger: Options::TRIGGER_STATUS, shipmentTriggerStatus: 'P'));
        $shop = Shop::install();
        [$order, $shipment] = $shop->order(ProfileType::COURIER, ['allowDelivery' => 'Y']);
        self::assertSame([], $this->bridge->to('POST', '/api/v1/shipments'), 'allow delivery is not the trigger here');

        $order->setField('STATUS_ID', 'F');
        $order->save();
        self::assertSame([], $this->bridge->to('POST', '/api/v1/shipments'));

        // Bitrix sends OnSaleStatusOrderChange after OnSaleOrderSaved: the same save still sends.
        $order->setField('STATUS_ID', 'P');
        $order->save();
        self::assertCount(1, $this->bridge->to('POST', '/api/v1/shipments'));
        $saved = Order::load($order->getId())?->getShipmentCollection()->getItemById($shipment->getId());
        self::assertSame('RKT-4F2A9C', $saved?->getField('DELIVERY_DOC_NUM'));
        self::assertSame('P', Order::load($order->getId())?->getField('STATUS_ID'), 'the module\'s save kept the new status');
    }

    public function testWithTheTriggerOffNothingIsSent(): void
    {
        $this->useOptions(new Options(shipmentTrigger: Options::TRIGGER_OFF));
        $shop = Shop::install();
        [$order, $shipment] = $shop->order(ProfileType::COURIER);

        $shipment->setField('ALLOW_DELIVERY', 'Y');
        $order->save();

        self::assertSame([], $this->bridge->to('POST', '/api/v1/shipments'));
    }

    public function testStatusesThatTheBridgePushesBackDoNotSendTheShipmentAgain(): void
    {
        $this->useOptions(new Options(shipmentTrigger: Options::TRIGGER_STATUS, shipmentTriggerStatus: 'P'));
        $shop = Shop::install();
        [$order, $shipment] = $shop->order(ProfileType::COURIER);
        $order->setField('STATUS_ID', 'P');
        $order->save();
        self::assertCount(1, $this->bridge->to('POST', '/api/v1/shipments'));

        // Through the module's REST method (it saves under the loop guard) ...
        RestService::shipmentStatus(['shipmentId' => $shipment->getId(), 'statusId' => 'OT', 'trackingNumber' => 'OZR678820683RU', 'orderStatusId' => 'N']);
        RestService::shipmentStatus(['shipmentId' => $shipment->getId(), 'statusId' => 'OT', 'orderStatusId' => 'P']);
        // ... and through plain sale.* updates, which fire the same events without the guard.
        $again = Order::load($order->getId());
        $again?->setField('STATUS_ID', 'N');
        $again?->save();
        $again?->setField('STATUS_ID', 'P');
        $again?->save();

        self::assertCount(1, $this->bridge->to('POST', '/api/v1/shipments'), 'no second create');
    }

    public function testAShipmentOzonHasNotConfirmedYetIsSentAgainAndTheBridgeAnswersTheSameOne(): void
    {
        $this->ozonOrderId = null;
        $shop = Shop::install();
        [$order, $shipment] = $shop->order(ProfileType::COURIER);
        $shipment->setField('ALLOW_DELIVERY', 'Y');
        $order->save();
        $reloaded = Order::load($order->getId());
        $shipmentAgain = $reloaded?->getShipmentCollection()->getItemById($shipment->getId());
        self::assertSame('', $shipmentAgain?->getField('DELIVERY_DOC_NUM'));

        $shipmentAgain?->setField('ALLOW_DELIVERY', 'N');
        $reloaded?->save();
        $shipmentAgain?->setField('ALLOW_DELIVERY', 'Y');
        $reloaded?->save();

        self::assertCount(2, $this->bridge->to('POST', '/api/v1/shipments'));
        self::assertCount(1, $this->created, 'the bridge keeps one shipment per Bitrix shipment');
    }

    public function testABridgeFailureMarksTheShipmentAndNeverBreaksTheManagersSave(): void
    {
        $shop = Shop::install();
        [$order, $shipment] = $shop->order(ProfileType::COURIER);
        $this->bridgeAnswers(static fn () => FakeTransport::problem(424, 'Ozon Rocket refused the delivery service\'s credentials'));

        $shipment->setField('ALLOW_DELIVERY', 'Y');
        self::assertTrue($order->save()->isSuccess());

        $saved = Order::load($order->getId())?->getShipmentCollection()->getItemById($shipment->getId());
        self::assertSame('Y', $saved?->getField('MARKED'));
        self::assertStringStartsWith('Ozon Rocket: не отправлено: Ozon Rocket refused', (string) $saved?->getField('REASON_MARKED'));
        self::assertSame('', $saved?->getField('DELIVERY_DOC_NUM'));
        self::assertContains('SHIPMENT_CREATE_FAILED', $this->logger->events());
    }

    public function testAnOrderMissingThePhoneIsMarkedWithoutCallingTheBridge(): void
    {
        $shop = Shop::install();
        [$order, $shipment] = $shop->order(ProfileType::COURIER, ['phone' => '']);

        $shipment->setField('ALLOW_DELIVERY', 'Y');
        $order->save();

        self::assertSame([], $this->bridge->to('POST', '/api/v1/shipments'));
        $saved = Order::load($order->getId())?->getShipmentCollection()->getItemById($shipment->getId());
        self::assertSame('Ozon Rocket: не отправлено: Не указан телефон получателя.', $saved?->getField('REASON_MARKED'));
    }

    public function testOtherDeliveriesAreLeftAlone(): void
    {
        $shop = Shop::install();
        [$order, $shipment] = $shop->order(ProfileType::COURIER);
        $shipment->setField('DELIVERY_ID', 999);

        $shipment->setField('ALLOW_DELIVERY', 'Y');
        $order->save();

        self::assertSame([], $this->bridge->to('POST', '/api/v1/shipments'));
    }
}
