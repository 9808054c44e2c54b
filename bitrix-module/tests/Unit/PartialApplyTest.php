<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Tests\Unit;

use Bitrix\Rest\RestException;
use Bitrix\Sale\Order;
use Bitrix\Sale\PaySystem\Service;
use OzonBridge\OzonRocket\Delivery\ProfileType;
use OzonBridge\OzonRocket\Options;
use OzonBridge\OzonRocket\Rest\RestService;
use OzonBridge\OzonRocket\Storage\OperationRecord;
use OzonBridge\OzonRocket\Tests\ModuleTestCase;
use OzonBridge\OzonRocket\Tests\Shop;

/** ozonrocket.partial.apply as bitrix-module-rest.md defines it. */
final class PartialApplyTest extends ModuleTestCase
{
    private Order $order;
    private int $shipmentId;
    private int $mug;
    private int $kettle;
    private int $paymentId;

    public function testRefusedGoodsLeaveTheBasketAndThePrepaidMoneyGoesBackThroughThePaySystem(): void
    {
        $this->makeOrder();

        $answer = RestService::partialApply($this->call());

        self::assertSame([
            'orderId' => $this->order->getId(),
            'orderPrice' => 849.9,
            'basket' => [['basketId' => $this->mug, 'quantity' => 1], ['basketId' => $this->kettle, 'deleted' => true]],
            'refund' => [
                'status' => 'done',
                'amount' => 4490.0,
                'paymentId' => $this->paymentId,
                'paySystem' => 'Банковская карта',
                'detail' => 'Refunded through the pay system',
            ],
        ], $answer);
        self::assertSame([['paymentId' => $this->paymentId, 'sum' => 4490.0]], Service::$refunds);
        $order = $this->reload();
        self::assertSame([[$this->mug, 1.0]], array_map(static fn ($i): array => [$i->getId(), $i->getQuantity()], iterator_to_array($order->getBasket())));
        $shipmentItems = iterator_to_array($order->getShipmentCollection()->getItemById($this->shipmentId)->getShipmentItemCollection());
        self::assertSame([[$this->mug, 1.0]], array_map(static fn ($i): array => [$i->getBasketId(), $i->getQuantity()], $shipmentItems));
        self::assertSame(849.9, $order->getPrice());
        self::assertSame('Ozon Rocket: выкуплено 1 из 3 штук', $order->getField('COMMENTS'));
        $payment = $order->getPaymentCollection()->getItemById($this->paymentId);
        self::assertSame('pa_7f3c0001', $payment->getField('PAY_RETURN_NUM'));
        self::assertSame('Ozon Rocket: частичный выкуп', $payment->getField('PAY_RETURN_COMMENT'));
    }

    public function testTheSameOperationIdAgainAnswersTheFirstAnswerAndChangesNothing(): void
    {
        $this->makeOrder();
        $first = RestService::partialApply($this->call());
        $saves = Order::$saves[$this->order->getId()];

        $again = RestService::partialApply($this->call());

        self::assertEquals($first, $again);
        self::assertSame($saves, Order::$saves[$this->order->getId()]);
        self::assertCount(1, Service::$refunds, 'refunded once');
    }

    public function testWithoutARefundingPaySystemTheMoneyGoesToTheInnerAccount(): void
    {
        $this->makeOrder(['refundable' => false]);

        $refund = RestService::partialApply($this->call())['refund'];

        self::assertSame('inner_account', $refund['status']);
        self::assertSame('Внутренний счёт', $refund['paySystem']);
        self::assertSame([['userId' => 7, 'sum' => 4490.0, 'currency' => 'RUB', 'description' => 'OZONROCKET_REFUND', 'orderId' => $this->order->getId(), 'notes' => 'Ozon Rocket: частичный выкуп']], \CSaleUserAccount::$updates);
        self::assertSame([], Service::$refunds);
    }

    public function testWhenNothingCanMoveTheMoneyAManagerGetsATaskAndTheAnswerSaysManual(): void
    {
        $this->useOptions(new Options(refundToInnerAccount: false, manualRefundStatus: 'P'));
        $this->makeOrder(['refundable' => false]);

        $refund = RestService::partialApply($this->call())['refund'];

        self::assertSame('manual', $refund['status']);
        self::assertSame(4490.0, $refund['amount']);
        self::assertSame('Nothing moved: a manager has to refund the amount by hand', $refund['detail']);
        $order = $this->reload();
        self::assertStringContainsString('Ozon Rocket: вернуть покупателю 4 490.00 RUB вручную. Ozon Rocket: частичный выкуп', (string) $order->getField('COMMENTS'));
        self::assertSame('P', $order->getField('STATUS_ID'));
        self::assertSame([], \CSaleUserAccount::$updates);
    }

    public function testAPaySystemThatFailsTheRefundFallsBackAndSaysWhy(): void
    {
        $this->useOptions(new Options(refundToInnerAccount: false));
        $this->makeOrder();
        $order = Order::load($this->order->getId());
        $payment = $order->getPaymentCollection()->getItemById($this->paymentId);
        (fn () => $this->service = new Service(true, 'Gateway timeout'))->call($payment);
        $order->save();

        $refund = RestService::partialApply($this->call())['refund'];

        self::assertSame('manual', $refund['status']);
        self::assertStringContainsString('Gateway timeout', $refund['detail']);
    }

    public function testACashOnDeliveryOrderHasNoRefund(): void
    {
        $this->makeOrder(['cod' => true]);

        $answer = RestService::partialApply($this->call(['refund' => null]));

        self::assertNull($answer['refund']);
        self::assertSame([], Service::$refunds);
    }

    public function testNumbersMayArriveAsStringsFromABatchCommand(): void
    {
        $this->makeOrder();

        $answer = RestService::partialApply($this->call([
            'orderId' => (string) $this->order->getId(),
            'shipmentId' => (string) $this->shipmentId,
            'lines' => [['basketId' => (string) $this->mug, 'acceptedQuantity' => '1'], ['basketId' => (string) $this->kettle, 'acceptedQuantity' => '0']],
            'deliveryPrice' => '349.90',
            'refund' => ['amount' => '4490.00', 'reason' => 'Ozon Rocket: частичный выкуп'],
        ]));

        self::assertSame('done', $answer['refund']['status']);
        self::assertSame(849.9, $answer['orderPrice']);
    }

    public function testDeliveryPriceZeroRefundsTheDeliveryUnlessTheShopKeepsIt(): void
    {
        $this->makeOrder();
        self::assertSame(500.0, RestService::partialApply($this->call(['deliveryPrice' => 0, 'refund' => null]))['orderPrice']);

        $this->useOptions(new Options(partialDeliveryPrice: Options::DELIVERY_PRICE_KEEP));
        $this->makeOrder();
        self::assertSame(849.9, RestService::partialApply($this->call(['deliveryPrice' => 0, 'refund' => null, 'operationId' => 'pa_keep']))['orderPrice']);
    }

    public function testADeductedShipmentIsChangedAndDeductedAgain(): void
    {
        $this->makeOrder(['deducted' => true]);

        $answer = RestService::partialApply($this->call());

        self::assertSame(849.9, $answer['orderPrice']);
        self::assertSame('Y', $this->reload()->getShipmentCollection()->getItemById($this->shipmentId)->getField('DEDUCTED'));
    }

    /** @dataProvider badCalls */
    public function testABadCallIsAnErrorAndChangesNothing(array $changes, string $code, string $message): void
    {
        $this->makeOrder();
        $changes = json_decode(strtr((string) json_encode($changes), ['"MUG"' => (string) $this->mug, '"KETTLE"' => (string) $this->kettle]), true);
        $saves = Order::$saves[$this->order->getId()];

        [$errorCode, $status, $description] = $this->restError(fn () => RestService::partialApply($this->call($changes)));

        self::assertSame($code, $errorCode);
        self::assertSame(\CRestServer::STATUS_WRONG_REQUEST, $status);
        self::assertStringContainsString($message, $description);
        self::assertSame($saves, Order::$saves[$this->order->getId()], 'not saved');
        self::assertSame(2.0, $this->reload()->getBasket()->getItemById($this->mug)->getQuantity());
        self::assertSame([], Service::$refunds);
        self::assertSame([], $this->operations->records, 'the operation id stays free for a corrected call');
    }

    /** @return iterable<string, array{array<string, mixed>, string, string}> */
    public static function badCalls(): iterable
    {
        yield 'unknown basket line' => [['lines' => [['basketId' => 999999, 'acceptedQuantity' => 0]]], 'OZONROCKET_BAD_LINES', 'basket line 999999 is not in order'];
        yield 'more than ordered' => [['lines' => [['basketId' => 'MUG', 'acceptedQuantity' => 3]]], 'OZONROCKET_BAD_LINES', 'acceptedQuantity 3 outside 0..2'];
        yield 'line repeated' => [['lines' => [['basketId' => 'MUG', 'acceptedQuantity' => 1], ['basketId' => 'MUG', 'acceptedQuantity' => 0]]], 'OZONROCKET_BAD_LINES', 'repeated'];
        yield 'no lines' => [['lines' => []], 'OZONROCKET_BAD_LINES', 'at least one basket line'];
        yield 'negative quantity' => [['lines' => [['basketId' => 'MUG', 'acceptedQuantity' => -1]]], 'OZONROCKET_BAD_LINES', 'not a number of at least 0'];
        yield 'unknown order' => [['orderId' => 424242], 'OZONROCKET_ORDER_NOT_FOUND', 'Order 424242 not found'];
        yield 'unknown shipment' => [['shipmentId' => 424242], 'OZONROCKET_ORDER_NOT_FOUND', 'Shipment 424242 is not in order'];
        yield 'refund over the paid sum' => [['refund' => ['amount' => 99999, 'reason' => '']], 'OZONROCKET_BAD_REQUEST', 'exceeds the paid 5 339.90'];
        yield 'no operation id' => [['operationId' => ''], 'OZONROCKET_BAD_REQUEST', 'operationId is required'];
    }

    public function testAnOrderAManagerIsEditingIsLocked(): void
    {
        $this->makeOrder();
        Order::$locked[$this->order->getId()] = true;

        self::assertSame('OZONROCKET_ORDER_LOCKED', $this->restError(fn () => RestService::partialApply($this->call()))[0]);
        self::assertSame(2.0, $this->reload()->getBasket()->getItemById($this->mug)->getQuantity());
    }

    public function testWhenBitrixRefusesTheSaveNothingIsChangedAndNoMoneyMoves(): void
    {
        $this->makeOrder();
        Order::$failSave[$this->order->getId()] = 'Deadlock found';

        [$code, , $message] = $this->restError(fn () => RestService::partialApply($this->call()));

        self::assertSame('OZONROCKET_SAVE_FAILED', $code);
        self::assertStringContainsString('Deadlock found', $message);
        self::assertSame([], Service::$refunds);
    }

    public function testAProcessThatDiedAfterTheBasketWasSavedIsResumedWithoutChangingTheBasketTwice(): void
    {
        $this->makeOrder();
        $basket = [['basketId' => $this->mug, 'quantity' => 1], ['basketId' => $this->kettle, 'deleted' => true]];
        $this->operations->start('pa_7f3c0001', $this->order->getId());
        $this->operations->advance('pa_7f3c0001', OperationRecord::BASKET_SAVED, ['basket' => $basket]);

        $answer = RestService::partialApply($this->call());

        self::assertSame($basket, $answer['basket']);
        self::assertSame('done', $answer['refund']['status']);
        self::assertSame(2.0, $this->reload()->getBasket()->getItemById($this->mug)->getQuantity(), 'the basket step is not repeated');
    }

    public function testARefundThatWasStartedAndNotRecordedIsNeverTriedAgain(): void
    {
        $this->makeOrder();
        $this->operations->start('pa_7f3c0001', $this->order->getId());
        $this->operations->advance('pa_7f3c0001', OperationRecord::REFUNDING, ['basket' => []]);

        $refund = RestService::partialApply($this->call())['refund'];

        self::assertSame('manual', $refund['status']);
        self::assertStringContainsString('outcome is unknown', $refund['detail']);
        self::assertSame([], Service::$refunds);
    }

    public function testTheSameOperationRunningRightNowIsLocked(): void
    {
        $this->makeOrder();
        $this->operations->start('pa_7f3c0001', $this->order->getId());

        self::assertSame('OZONROCKET_ORDER_LOCKED', $this->restError(fn () => RestService::partialApply($this->call()))[0]);
    }

    public function testOnlyUsersWhoMayManageOrdersCallIt(): void
    {
        $this->makeOrder();
        $GLOBALS['USER'] = new \TestUser(false);
        $GLOBALS['APPLICATION']->saleRight = 'R';

        [$code, $status] = $this->restError(fn () => RestService::partialApply($this->call()));

        self::assertSame('ACCESS_DENIED', $code);
        self::assertSame(\CRestServer::STATUS_FORBIDDEN, $status);
    }

    public function testTheMethodsAreRegisteredInScopeSale(): void
    {
        $description = RestService::onRestServiceBuildDescription();

        self::assertSame(['ozonrocket.partial.apply', 'ozonrocket.shipment.status'], array_keys($description['sale']));
        self::assertIsCallable($description['sale']['ozonrocket.partial.apply']['callback']);
    }

    /** @param array<string, mixed> $options */
    private function makeOrder(array $options = []): void
    {
        $shop = Shop::install();
        [$order, $shipment] = $shop->order(ProfileType::COURIER, $options);
        $this->order = $order;
        $this->shipmentId = $shipment->getId();
        [$mug, $kettle] = iterator_to_array($order->getBasket());
        $this->mug = $mug->getId();
        $this->kettle = $kettle->getId();
        $this->paymentId = iterator_to_array($order->getPaymentCollection())[0]->getId();
    }

    /** @return array<string, mixed> */
    private function call(array $changes = []): array
    {
        return $changes + [
            'orderId' => $this->order->getId(),
            'shipmentId' => $this->shipmentId,
            'operationId' => 'pa_7f3c0001',
            'lines' => [['basketId' => $this->mug, 'acceptedQuantity' => 1], ['basketId' => $this->kettle, 'acceptedQuantity' => 0]],
            'deliveryPrice' => 349.9,
            'refund' => ['amount' => 4490.0, 'reason' => 'Ozon Rocket: частичный выкуп'],
            'comment' => 'Ozon Rocket: выкуплено 1 из 3 штук',
        ];
    }

    private function reload(): Order
    {
        $order = Order::load($this->order->getId());
        self::assertNotNull($order);

        return $order;
    }

    /** @return array{string, string, string} error code, HTTP status, description */
    private function restError(callable $call): array
    {
        try {
            $call();
        } catch (RestException $e) {
            return [$e->getErrorCode(), $e->getStatus(), $e->getMessage()];
        }
        self::fail('no REST error');
    }
}
