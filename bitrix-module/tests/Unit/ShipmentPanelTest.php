<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Tests\Unit;

use Bitrix\Sale\Delivery\Services\Manager;
use Bitrix\Sale\Shipment;
use OzonBridge\OzonRocket\Bridge\TransportException;
use OzonBridge\OzonRocket\Delivery\OzonRocketProfile;
use OzonBridge\OzonRocket\Delivery\ProfileType;
use OzonBridge\OzonRocket\Options;
use OzonBridge\OzonRocket\Tests\FakeTransport;
use OzonBridge\OzonRocket\Tests\ModuleTestCase;
use OzonBridge\OzonRocket\Tests\Shop;

/** What a manager sees and does on the shipment page: Ozon status, send now, cancel. */
final class ShipmentPanelTest extends ModuleTestCase
{
    private string $status = 'created';
    private bool $sent = false;
    private int $orderId = 0;
    private int $shipmentId = 0;

    protected function setUp(): void
    {
        parent::setUp();
        $this->useOptions(new Options(shipmentTrigger: Options::TRIGGER_OFF));
        $this->bridgeAnswers(function (string $method, string $path, mixed $body) {
            $shipment = static fn (string $status): array => [
                'id' => 'bridge-1', 'bitrix_order_id' => 0, 'bitrix_shipment_id' => 0,
                'ozon_order_id' => 'RKT-24574C', 'tracking_number' => 'OZR678820683RU', 'status' => $status, 'last_error' => null,
            ];

            return match (true) {
                $method === 'PUT' => FakeTransport::json(201, []),
                $method === 'POST' && $path === '/api/v1/shipments' => FakeTransport::json(201, ['bitrix_order_id' => $body['bitrix_order_id'], 'bitrix_shipment_id' => $body['bitrix_shipment_id']] + $shipment('created')),
                $method === 'GET' => FakeTransport::json(200, ['items' => $this->sent ? [['bitrix_order_id' => $this->orderId, 'bitrix_shipment_id' => $this->shipmentId] + $shipment($this->status)] : [], 'total' => 1]),
                $method === 'POST' && $path === '/api/v1/shipments/bridge-1/cancel' => $this->status === 'created'
                    ? FakeTransport::json(200, $shipment('cancelled'))
                    : FakeTransport::problem(409, 'Ozon Rocket no longer allows cancelling: the shipment is in_transit.'),
                default => FakeTransport::problem(404, 'Not Found'),
            };
        });
    }

    public function testTheManagerSendsAShipmentByHand(): void
    {
        [$profile, $shipment] = $this->shipment();

        $inputs = $profile->getAdditionalInfoShipmentEdit($shipment);
        self::assertArrayHasKey('OZONROCKET_SEND', $inputs);
        self::assertSame('Не отправлено в Ozon Rocket.', $inputs['OZONROCKET_STATUS']['VALUE']);

        $profile->processAdditionalInfoShipmentEdit($shipment, ['OZONROCKET_SEND' => 'Y']);

        self::assertSame('RKT-24574C', $shipment->getField('DELIVERY_DOC_NUM'));
        self::assertSame('OZR678820683RU', $shipment->getField('TRACKING_NUMBER'));
        self::assertSame('Ozon Rocket: отправлено, заказ RKT-24574C, трек OZR678820683RU.', $shipment->getField('COMMENTS'));
    }

    public function testTheManagerSeesTheOzonStatus(): void
    {
        [$profile, $shipment] = $this->shipment(sent: true);
        $this->status = 'in_transit';

        $view = $profile->getAdditionalInfoShipmentView($shipment);

        self::assertSame('DELIVERY_READ_ONLY', $view['OZONROCKET_STATUS']['TYPE']);
        self::assertSame('Статус: в пути; заказ Ozon: RKT-24574C; трек: OZR678820683RU.', $view['OZONROCKET_STATUS']['VALUE']);
        self::assertSame(3.0, $this->bridge->to('GET', '/api/v1/shipments')[0]['timeout']);
    }

    public function testTheStatusLineSurvivesABridgeThatIsDown(): void
    {
        [$profile, $shipment] = $this->shipment(sent: true);
        $this->bridgeAnswers(static fn () => new TransportException('Connection refused'));

        $view = $profile->getAdditionalInfoShipmentView($shipment);

        self::assertStringStartsWith('Нет связи с мостом', $view['OZONROCKET_STATUS']['VALUE']);
        self::assertStringContainsString('RKT-24574C', $view['OZONROCKET_STATUS']['VALUE']);
    }

    public function testTheManagerCancelsASentShipment(): void
    {
        [$profile, $shipment] = $this->shipment(sent: true);
        self::assertArrayHasKey('OZONROCKET_CANCEL', $profile->getAdditionalInfoShipmentEdit($shipment));

        $profile->processAdditionalInfoShipmentEdit($shipment, ['OZONROCKET_CANCEL' => 'Y']);

        self::assertCount(1, $this->bridge->to('POST', '/api/v1/shipments/bridge-1/cancel'));
        self::assertSame('Ozon Rocket: отгрузка отменена (отменён).', $shipment->getField('COMMENTS'));
    }

    public function testACancelOzonNoLongerAllowsIsExplained(): void
    {
        [$profile, $shipment] = $this->shipment(sent: true);
        $this->status = 'in_transit';

        $profile->processAdditionalInfoShipmentEdit($shipment, ['OZONROCKET_CANCEL' => 'Y']);

        self::assertSame('Ozon Rocket: отменить нельзя: Ozon Rocket no longer allows cancelling: the shipment is in_transit.', $shipment->getField('COMMENTS'));
    }

    /** @return array{OzonRocketProfile, Shipment} */
    private function shipment(bool $sent = false): array
    {
        $shop = Shop::install();
        [$order, $shipment] = $shop->order(ProfileType::COURIER);
        $this->orderId = $order->getId();
        $this->shipmentId = $shipment->getId();
        if ($sent) {
            $this->sent = true;
            $shipment->setField('DELIVERY_DOC_NUM', 'RKT-24574C');
        }
        $profile = Manager::getObjectById($shop->profileIds[ProfileType::COURIER]);
        self::assertInstanceOf(OzonRocketProfile::class, $profile);

        return [$profile, $shipment];
    }
}
