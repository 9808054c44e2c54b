<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Tests\Unit;

use Bitrix\Rest\RestException;
use Bitrix\Sale\Internals\UserBudgetPool;
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
        $saves = $this->saves();

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
        self::assertSame($saves + 1, $this->saves(), 'basket, delivery price and refund record in one Order::save()');
        self::assertSame([OperationRecord::REFUNDING, OperationRecord::SAVING, OperationRecord::DONE], $this->operations->stages);
        $order = $this->reload();
        self::assertSame([[$this->mug, 1.0]], array_map(static fn ($i): array => [$i->getId(), $i->getQuantity()], iterator_to_array($order->getBasket())));
        $shipmentItems = iterator_to_array($order->getShipmentCollection()->getItemById($this->shipmentId)->getShipmentItemCollection());
        self::assertSame([[$this->mug, 1.0]], array_map(static fn ($i): array => [$i->getBasketId(), $i->getQuantity()], $shipmentItems));
        self::assertSame(849.9, $order->getPrice());
        self::assertSame('Ozon Rocket: выкуплено 1 из 3 штук', $order->getField('COMMENTS'));
        $payment = $order->getPaymentCollection()->getItemById($this->paymentId);
        self::assertSame('pa_7f3c0001', $payment->getField('PAY_RETURN_NUM'));
        self::assertSame('Ozon Rocket: частичный выкуп', $payment->getField('PAY_RETURN_COMMENT'));
        self::assertSame('Y', $payment->getField('PAID'), 'a partial refund leaves the payment paid');
        self::assertNull($payment->getField('IS_RETURN'), 'not Payment::setReturn(): that would refund the whole payment');
    }

    public function testTheSameOperationIdAgainAnswersTheFirstAnswerAndChangesNothing(): void
    {
        $this->makeOrder();
        $first = RestService::partialApply($this->call());
        $saves = $this->saves();

        $again = RestService::partialApply($this->call());

        self::assertEquals($first, $again);
        self::assertSame($saves, $this->saves());
        self::assertCount(1, Service::$attempts, 'refunded once');
    }

    public function testWithoutARefundingPaySystemTheMoneyGoesToTheInnerAccountInTheSameSave(): void
    {
        $this->makeOrder(['refundable' => false]);
        $saves = $this->saves();

        $refund = RestService::partialApply($this->call())['refund'];

        self::assertSame('inner_account', $refund['status']);
        self::assertSame('Внутренний счёт', $refund['paySystem']);
        self::assertSame($this->paymentId, $refund['paymentId']);
        // Applied by Order::save() from the UserBudgetPool, as Bitrix's inner pay system does.
        self::assertSame([[
            'userId' => 7, 'sum' => 4490.0, 'currency' => 'RUB', 'description' => 'ORDER_PART_RETURN',
            'orderId' => $this->order->getId(), 'notes' => '', 'paymentId' => $this->paymentId,
        ]], \CSaleUserAccount::$updates);
        self::assertSame($saves + 1, $this->saves());
        self::assertSame([], Service::$attempts);
        self::assertSame('pa_7f3c0001', $this->reload()->getPaymentCollection()->getItemById($this->paymentId)->getField('PAY_RETURN_NUM'));
    }

    /** @dataProvider unavailableInnerAccounts */
    public function testAnInnerAccountThatCannotTakeTheMoneyLeavesAManagerTask(callable $makeUnavailable, string $why): void
    {
        $this->makeOrder(['refundable' => false]);
        $makeUnavailable();

        $refund = RestService::partialApply($this->call())['refund'];

        self::assertSame('manual', $refund['status']);
        self::assertStringContainsString($why, $refund['detail']);
        self::assertSame([], \CSaleUserAccount::$updates);
        self::assertStringContainsString('вернуть покупателю 4 490.00 RUB вручную', (string) $this->reload()->getField('COMMENTS'));
    }

    /** @return iterable<string, array{callable, string}> */
    public static function unavailableInnerAccounts(): iterable
    {
        yield 'locked by an administrator' => [static function (): void { \CSaleUserAccount::$locked[7] = true; }, 'the inner account cannot be credited'];
        yield 'budget lock held by another process' => [static function (): void { UserBudgetPool::$lockedElsewhere = true; }, 'the inner account cannot be credited'];
    }

    public function testWhenNothingCanMoveTheMoneyAManagerGetsATaskAndTheAnswerSaysManual(): void
    {
        $this->useOptions(new Options(refundToInnerAccount: false, manualRefundStatus: 'P'));
        $this->makeOrder(['refundable' => false]);
        $saves = $this->saves();

        $refund = RestService::partialApply($this->call())['refund'];

        self::assertSame('manual', $refund['status']);
        self::assertSame(4490.0, $refund['amount']);
        self::assertSame('Nothing moved: a manager has to refund the amount by hand', $refund['detail']);
        $order = $this->reload();
        self::assertStringContainsString('Ozon Rocket: вернуть покупателю 4 490.00 RUB вручную. Ozon Rocket: частичный выкуп', (string) $order->getField('COMMENTS'));
        self::assertSame('P', $order->getField('STATUS_ID'));
        self::assertSame([], \CSaleUserAccount::$updates);
        self::assertSame($saves + 1, $this->saves(), 'the manager task is in the same save');
    }

    public function testAPaySystemThatDeclinesTheRefundFallsBackAndSaysWhy(): void
    {
        $this->useOptions(new Options(refundToInnerAccount: false));
        $this->makeOrder();
        $this->replacePaySystem(new Service(true, 'Insufficient funds on the merchant account'));

        $refund = RestService::partialApply($this->call())['refund'];

        self::assertSame('manual', $refund['status']);
        self::assertStringContainsString('Insufficient funds on the merchant account', $refund['detail']);
    }

    public function testAGatewayThatFailsMidCallIsNeverFollowedByAnotherRefund(): void
    {
        $this->makeOrder(); // the inner account is allowed: it must still not be used
        $this->replacePaySystem(new Service(true, '', 'Operation timed out after 30001 milliseconds'));

        $refund = RestService::partialApply($this->call())['refund'];

        self::assertSame('manual', $refund['status']);
        self::assertStringContainsString('outcome is unknown', $refund['detail']);
        self::assertStringContainsString('check the pay system', $refund['detail']);
        self::assertStringContainsString('timed out', $refund['detail']);
        self::assertSame([], \CSaleUserAccount::$updates, 'no second way while the first may have paid');
        self::assertCount(1, Service::$attempts);
        self::assertSame(1.0, $this->reload()->getBasket()->getItemById($this->mug)->getQuantity(), 'the basket change is saved all the same');

        self::assertSame('manual', RestService::partialApply($this->call())['refund']['status']);
        self::assertCount(1, Service::$attempts, 'not called again');
    }

    public function testACashOnDeliveryOrderHasNoRefund(): void
    {
        $this->makeOrder(['cod' => true]);

        $answer = RestService::partialApply($this->call(['refund' => null]));

        self::assertNull($answer['refund']);
        self::assertSame([], Service::$attempts);
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
        $saves = $this->saves();

        $answer = RestService::partialApply($this->call());

        self::assertSame(849.9, $answer['orderPrice']);
        self::assertSame('Y', $this->reload()->getShipmentCollection()->getItemById($this->shipmentId)->getField('DEDUCTED'));
        self::assertSame($saves + 1, $this->saves());
    }

    /** @dataProvider badCalls */
    public function testABadCallIsAnErrorAndChangesNothing(array $changes, string $code, string $message): void
    {
        $this->makeOrder();
        $changes = json_decode(strtr((string) json_encode($changes), ['"MUG"' => (string) $this->mug, '"KETTLE"' => (string) $this->kettle]), true);
        $saves = $this->saves();

        [$errorCode, $status, $description] = $this->restError(fn () => RestService::partialApply($this->call($changes)));

        self::assertSame($code, $errorCode);
        self::assertSame(\CRestServer::STATUS_WRONG_REQUEST, $status);
        self::assertStringContainsString($message, $description);
        self::assertSame($saves, $this->saves(), 'not saved');
        self::assertSame(2.0, $this->reload()->getBasket()->getItemById($this->mug)->getQuantity());
        self::assertSame([], Service::$attempts);
        self::assertSame([], $this->operations->records, 'the operation id stays free for a corrected call');
    }

    /** @return iterable<string, array{array<string, mixed>, string, string}> */
    public static function badCalls(): iterable
    {
        yield 'unknown basket line' => [['lines' => [['basketId' => 999999, 'acceptedQuantity' => 0]]], 'OZONROCKET_BAD_LINES', 'basket line 999999 is not in order'];
        yield 'more than ordered' => [['lines' => [['basketId' => 'MUG', 'acceptedQuantity' => 3]]], 'OZONROCKET_BAD_LINES', 'acceptedQuantity 3 outside 0..2'];
        yield 'line repeated' => [['lines' => [['basketId' => 'MUG', 'acceptedQuantity' => 1], ['basketId' => 'MUG', 'acceptedQuantity' => 0]]], 'OZONROCKET_BAD_LINES', 'repeated'];
        yield 'a valid line before an unknown one' => [['lines' => [['basketId' => 'MUG', 'acceptedQuantity' => 1], ['basketId' => 999999, 'acceptedQuantity' => 0]]], 'OZONROCKET_BAD_LINES', 'lines[1]: basket line 999999'];
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
        self::assertSame([], Service::$attempts);
        self::assertSame([], $this->operations->records);
    }

    public function testWhenBitrixRefusesTheSaveWithoutAGatewayRefundNothingChanges(): void
    {
        $this->makeOrder(['refundable' => false]); // the inner account: credited only by the save
        Order::$failSave[$this->order->getId()] = 'Deadlock found';

        [$code, , $message] = $this->restError(fn () => RestService::partialApply($this->call()));

        self::assertSame('OZONROCKET_SAVE_FAILED', $code);
        self::assertStringContainsString('Deadlock found', $message);
        self::assertSame(2.0, $this->reload()->getBasket()->getItemById($this->mug)->getQuantity());
        self::assertSame([], $this->operations->records, 'the operation id stays free');
        // The credit queued for the refused save must not ride on the next save of this buyer.
        unset(Order::$failSave[$this->order->getId()]);
        self::assertTrue($this->reload()->save()->isSuccess());
        self::assertSame([], \CSaleUserAccount::$updates);

        self::assertSame('inner_account', RestService::partialApply($this->call())['refund']['status']);
        self::assertCount(1, \CSaleUserAccount::$updates, 'credited once, by the successful save');
    }

    public function testWhenBitrixRefusesTheSaveAfterTheGatewayRefundedTheNextCallRecordsItWithoutRefundingAgain(): void
    {
        $this->makeOrder();
        Order::$failSave[$this->order->getId()] = 'Deadlock found';

        [$code, , $message] = $this->restError(fn () => RestService::partialApply($this->call()));

        self::assertSame('OZONROCKET_SAVE_FAILED', $code);
        self::assertStringContainsString('The refund of 4 490.00 went through the pay system', $message);
        self::assertCount(1, Service::$refunds);
        self::assertSame(OperationRecord::RETRY, $this->operations->records['pa_7f3c0001']->stage);

        unset(Order::$failSave[$this->order->getId()]);
        $answer = RestService::partialApply($this->call());

        self::assertSame('done', $answer['refund']['status']);
        self::assertSame(849.9, $answer['orderPrice']);
        self::assertCount(1, Service::$attempts, 'the gateway is not called again');
        $order = $this->reload();
        self::assertSame(1.0, $order->getBasket()->getItemById($this->mug)->getQuantity());
        self::assertSame('pa_7f3c0001', $order->getPaymentCollection()->getItemById($this->paymentId)->getField('PAY_RETURN_NUM'));
    }

    public function testAProcessThatDiedAfterTheGatewayAnsweredNeverRefundsAgain(): void
    {
        $this->makeOrder();
        $this->operations->dieOnStage = OperationRecord::SAVING;

        self::assertSame('OZONROCKET_INTERNAL', $this->restError(fn () => RestService::partialApply($this->call()))[0]);
        self::assertCount(1, Service::$refunds, 'the money moved');
        self::assertSame(2.0, $this->reload()->getBasket()->getItemById($this->mug)->getQuantity(), 'nothing saved yet');

        $answer = RestService::partialApply($this->call());

        self::assertSame('manual', $answer['refund']['status']);
        self::assertStringContainsString('check the pay system', $answer['refund']['detail']);
        self::assertSame($this->paymentId, $answer['refund']['paymentId']);
        self::assertCount(1, Service::$attempts, 'never called twice');
        self::assertSame([], \CSaleUserAccount::$updates);
        self::assertSame(1.0, $this->reload()->getBasket()->getItemById($this->mug)->getQuantity());
    }

    public function testARefundThatWasStartedAndNotRecordedIsNeverTriedAgain(): void
    {
        $this->makeOrder();
        $this->operations->now = time() - 600; // the process that started it is long gone
        $this->operations->start('pa_7f3c0001', $this->order->getId());
        $this->operations->advance('pa_7f3c0001', OperationRecord::REFUNDING, ['paymentId' => $this->paymentId]);

        $refund = RestService::partialApply($this->call())['refund'];

        self::assertSame('manual', $refund['status']);
        self::assertStringContainsString('outcome is unknown', $refund['detail']);
        self::assertSame([], Service::$attempts);
        self::assertSame([], \CSaleUserAccount::$updates);
    }

    public function testARefundBeingMadeRightNowIsLocked(): void
    {
        $this->makeOrder();
        $this->operations->now = time();
        $this->operations->start('pa_7f3c0001', $this->order->getId());
        $this->operations->advance('pa_7f3c0001', OperationRecord::REFUNDING, ['paymentId' => $this->paymentId]);

        self::assertSame('OZONROCKET_ORDER_LOCKED', $this->restError(fn () => RestService::partialApply($this->call()))[0]);
        self::assertSame([], Service::$attempts);
    }

    /** @dataProvider paidWays */
    public function testAProcessThatDiedAfterTheSaveIsResumedWithoutChangingAnythingTwice(array $order, string $status): void
    {
        $this->makeOrder($order);
        $this->operations->dieOnStage = OperationRecord::DONE;
        $this->restError(fn () => RestService::partialApply($this->call()));
        $this->operations->now = time() - 600; // and it stays `saving` until it is stale
        $this->operations->advance('pa_7f3c0001', OperationRecord::SAVING, $this->operations->records['pa_7f3c0001']->answer);
        $before = $this->reload();

        $answer = RestService::partialApply($this->call());

        self::assertSame($status, $answer['refund']['status']);
        self::assertSame([['basketId' => $this->mug, 'quantity' => 1], ['basketId' => $this->kettle, 'deleted' => true]], $answer['basket']);
        self::assertSame(849.9, $answer['orderPrice']);
        self::assertLessThanOrEqual(1, count(Service::$attempts));
        self::assertLessThanOrEqual(1, count(\CSaleUserAccount::$updates));
        self::assertCount(1, array_merge(Service::$refunds, \CSaleUserAccount::$updates), 'the money went back exactly once');
        $after = $this->reload();
        self::assertSame($before->getField('COMMENTS'), $after->getField('COMMENTS'), 'the comment is not added twice');
        self::assertSame(849.9, $after->getPrice());
    }

    /** @return iterable<string, array{array<string, mixed>, string}> */
    public static function paidWays(): iterable
    {
        yield 'pay system' => [[], 'done'];
        yield 'inner account' => [['refundable' => false], 'inner_account'];
    }

    public function testAnInnerAccountCreditWhoseSaveNeverHappenedIsMadeByTheResumedCall(): void
    {
        $this->makeOrder(['refundable' => false]);
        $this->operations->now = time() - 600;
        $this->operations->start('pa_7f3c0001', $this->order->getId());
        $this->operations->advance('pa_7f3c0001', OperationRecord::SAVING, ['refund' => [
            'status' => 'inner_account', 'amount' => 4490.0, 'paymentId' => $this->paymentId, 'paySystem' => 'Внутренний счёт', 'detail' => "Credited to the buyer's inner account",
        ]]);

        $answer = RestService::partialApply($this->call());

        self::assertSame('inner_account', $answer['refund']['status']);
        self::assertCount(1, \CSaleUserAccount::$updates);
        self::assertSame(1.0, $this->reload()->getBasket()->getItemById($this->mug)->getQuantity());
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

    private function saves(): int
    {
        return Order::$saves[$this->order->getId()] ?? 0;
    }

    /** The order's card payment now answers through this pay system. */
    private function replacePaySystem(Service $service): void
    {
        $order = Order::load($this->order->getId());
        $payment = $order->getPaymentCollection()->getItemById($this->paymentId);
        (fn () => $this->service = $service)->call($payment);
        $order->save();
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
