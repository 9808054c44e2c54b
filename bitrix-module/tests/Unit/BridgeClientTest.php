<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Tests\Unit;

use OzonBridge\OzonRocket\Bridge\BridgeClient;
use OzonBridge\OzonRocket\Bridge\BridgeEndpoint;
use OzonBridge\OzonRocket\Bridge\BridgeError;
use OzonBridge\OzonRocket\Bridge\TransportResponse;
use OzonBridge\OzonRocket\Tests\FakeTransport;
use PHPUnit\Framework\TestCase;

final class BridgeClientTest extends TestCase
{
    private const ENDPOINT = ['https://bridge.example.ru/', 'shop-1', 'secret-token', 3.5];

    public function testCalculateSendsTheShopTokenAndJsonAndReadsTheSelectedOption(): void
    {
        $transport = new FakeTransport(static fn () => FakeTransport::json(200, [
            'options' => [['option_id' => 'opt_courier_std', 'delivery_type' => 'courier', 'tariff' => 'Courier', 'price' => 310.0, 'days_min' => 1, 'days_max' => 2]],
            'selected' => ['option_id' => 'opt_courier_std', 'delivery_type' => 'courier', 'tariff' => 'Courier', 'price' => 310.0, 'days_min' => 1, 'days_max' => 2, 'description' => 'Ozon Rocket курьером, 1–2 дня'],
            'cached' => true,
            'fallback' => false,
        ]));

        $answer = $this->client($transport)->calculate(['shop_id' => 'shop-1', 'declared_value' => 4990.0]);

        $request = $transport->requests[0];
        self::assertSame('POST', $request['method']);
        self::assertSame('https://bridge.example.ru/api/v1/calculate', $request['url']);
        self::assertSame('Bearer secret-token', $request['headers']['Authorization']);
        self::assertSame('application/json', $request['headers']['Content-Type']);
        self::assertStringStartsWith('bx-', $request['headers']['X-Request-Id']);
        self::assertSame(3.5, $request['timeout']);
        self::assertSame(['shop_id' => 'shop-1', 'declared_value' => 4990.0], $request['body']);
        self::assertSame(31000, $answer->selected?->priceKopecks);
        self::assertSame('Ozon Rocket курьером, 1–2 дня', $answer->selected?->description);
        self::assertTrue($answer->cached);
        self::assertCount(1, $answer->options);
    }

    public function testAProblemAnswerBecomesAnErrorWithTheBridgesDetailAndFieldErrors(): void
    {
        $transport = new FakeTransport(static fn () => FakeTransport::problem(422, 'The request has invalid fields', [
            ['loc' => ['body', 'items', 0, 'quantity'], 'msg' => 'must be a positive integer'],
        ]));

        try {
            $this->client($transport)->createShipment(['shop_id' => 'shop-1']);
            self::fail('no error');
        } catch (BridgeError $e) {
            self::assertSame(422, $e->status);
            self::assertSame('The request has invalid fields', $e->detail);
            self::assertSame([['loc' => 'body.items.0.quantity', 'msg' => 'must be a positive integer']], $e->errors);
            self::assertFalse($e->isUnavailable());
            self::assertStringContainsString('body.items.0.quantity: must be a positive integer', $e->getMessage());
            self::assertStringNotContainsString('secret-token', $e->getMessage());
        }
    }

    /** @dataProvider unavailableAnswers */
    public function testNoAnswerOrA5xxIsUnavailable(FakeTransport $transport): void
    {
        try {
            $this->client($transport)->calculate([]);
            self::fail('no error');
        } catch (BridgeError $e) {
            self::assertTrue($e->isUnavailable());
        }
    }

    /** @return iterable<string, array{FakeTransport}> */
    public static function unavailableAnswers(): iterable
    {
        yield 'connection refused' => [FakeTransport::down()];
        yield '503 problem' => [new FakeTransport(static fn () => FakeTransport::problem(503, 'Ozon Rocket did not answer in time'))];
        yield '502 html from a proxy' => [new FakeTransport(static fn () => new TransportResponse(502, '<html>Bad gateway</html>', 'text/html'))];
    }

    public function testA200ThatIsNotJsonIsAnError(): void
    {
        $transport = new FakeTransport(static fn () => new TransportResponse(200, '<html>captive portal</html>', 'text/html'));

        $this->expectException(BridgeError::class);
        $this->client($transport)->calculate([]);
    }

    public function testShipmentsAreCreatedFoundAndCancelledByTheirBridgeId(): void
    {
        $shipment = ['id' => 'c2ef', 'bitrix_order_id' => 10452, 'bitrix_shipment_id' => 20871, 'ozon_order_id' => 'RKT-1', 'tracking_number' => 'OZR1', 'status' => 'created'];
        $transport = new FakeTransport(static function (string $method, string $path) use ($shipment) {
            return match (true) {
                $method === 'POST' && $path === '/api/v1/shipments' => FakeTransport::json(201, $shipment),
                $method === 'GET' && $path === '/api/v1/shipments?bitrix_order_id=10452' => FakeTransport::json(200, ['items' => [$shipment], 'total' => 1]),
                $method === 'POST' && $path === '/api/v1/shipments/c2ef/cancel' => FakeTransport::json(200, ['status' => 'cancelled'] + $shipment),
                default => FakeTransport::problem(404, 'Not Found'),
            };
        });
        $client = $this->client($transport);

        $created = $client->createShipment(['bitrix_order_id' => 10452]);
        $found = $client->findShipments(10452);
        $cancelled = $client->cancelShipment('c2ef');

        self::assertTrue($created->created);
        self::assertSame('RKT-1', $created->ozonOrderId);
        self::assertSame(20871, $found[0]->bitrixShipmentId);
        self::assertSame('cancelled', $cancelled->status);
        self::assertSame(BridgeEndpoint::SLOW_TIMEOUT, $transport->requests[0]['timeout']);
    }

    public function testNothingIsSentWithoutABridgeUrlOrToken(): void
    {
        $transport = new FakeTransport(static fn () => FakeTransport::json(200, []));
        $client = new BridgeClient($transport, new BridgeEndpoint('', 'shop-1', ''));

        try {
            $client->calculate([]);
            self::fail('no error');
        } catch (BridgeError $e) {
            self::assertSame([], $transport->requests);
            self::assertTrue($e->isUnavailable());
        }
    }

    private function client(FakeTransport $transport): BridgeClient
    {
        return new BridgeClient($transport, new BridgeEndpoint(...self::ENDPOINT));
    }
}
