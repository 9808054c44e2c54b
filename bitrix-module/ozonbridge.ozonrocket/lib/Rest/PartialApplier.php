<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Rest;

use Bitrix\Sale\Order;
use Bitrix\Sale\Payment;
use Bitrix\Sale\Shipment;
use OzonBridge\OzonRocket\Logger;
use OzonBridge\OzonRocket\LoopGuard;
use OzonBridge\OzonRocket\Money;
use OzonBridge\OzonRocket\Options;
use OzonBridge\OzonRocket\Refund\RefundOutcome;
use OzonBridge\OzonRocket\Refund\Refunder;
use OzonBridge\OzonRocket\Storage\OperationRecord;
use OzonBridge\OzonRocket\Storage\OperationStore;

/**
 * ozonrocket.partial.apply: the accepted quantities become the basket, the delivery price is
 * kept or refunded, prepaid money for refused goods goes back, and all of it — basket, delivery
 * price, comment, the payment's return record, an inner-account credit or the manager task — is
 * persisted by ONE Order::save(). The same operationId again answers the first answer.
 *
 * Order of work, and why:
 * 1. claim the operationId (b_ozonrocket_operation), load the order, check every line and the
 *    refund amount, change the order in memory — any error so far changes nothing anywhere;
 * 2. the refund. A pay system refunds when called, not when the order is saved (Bitrix's own
 *    Payment::setReturn() calls IRefund inside setField too), so the gateway call comes before
 *    the save, after everything that can be checked has been. Before calling it the operation
 *    is marked `refunding`; a call that finds that mark without an outcome (the process died)
 *    answers `manual` — "check the pay system" — and never calls the gateway again. The inner
 *    account and the manager task are only written into the order, for the save;
 * 3. the outcome is recorded (`saving`), then Order::save(). A save Bitrix refuses writes
 *    nothing (OrderBase::save() stops before the order row and its entities), so the answer is
 *    OZONROCKET_SAVE_FAILED and, when no gateway was called, the operationId is free again.
 *
 * The one case where one save cannot keep "an error changes nothing": the gateway refunded and
 * then Bitrix refused the save. The money cannot be un-moved; the error says so, the operation
 * stays (`retry`) with its outcome, and the bridge's next call with the same operationId applies
 * the basket change and records the refund that already happened — without refunding again.
 * Saving the basket first and refunding after would avoid that case only by a second save that
 * records the refund, which is what the contract rules out.
 */
final class PartialApplier
{
    /** An in-progress claim older than this belongs to a process that died. */
    private const STALE_AFTER = 120;

    /** @var \Closure(): int */
    private readonly \Closure $clock;

    /** @param (callable(): int)|null $clock */
    public function __construct(
        private readonly OperationStore $store,
        private readonly Refunder $refunder,
        private readonly Options $options,
        private readonly Logger $logger,
        ?callable $clock = null,
    ) {
        $this->clock = \Closure::fromCallable($clock ?? 'time');
    }

    /** @return array<string, mixed> the contract's `result` */
    public function apply(PartialApplyRequest $request): array
    {
        $record = $this->claim($request);
        if ($record !== null && $record->stage === OperationRecord::DONE) {
            return $record->answer;
        }
        $run = new PartialApplyRun($request, $record);
        try {
            [$order, $shipment] = $this->load($request);
            $editor = new BasketEditor($this->options);
            $plan = $editor->plan($order, $request, $run->resumed());
            if ($request->refund !== null && $run->decidesRefund()) {
                self::checkRefundAmount($order, $request->refund['amount']);
            }
            $basket = $editor->apply($order, $shipment, $plan, $request, $run->resumed());
            $refund = $this->settleRefund($order, $request, $run);
            $this->record($run, OperationRecord::SAVING, ['refund' => $refund?->toArray()]);
            $run->savingStarted = true;
            $this->save($order, $run);
        } catch (\Throwable $e) {
            $this->release($run, $order ?? null);
            throw $e;
        }

        $answer = [
            'orderId' => $request->orderId,
            'orderPrice' => Money::toFloat(Money::toKopecks((float) $order->getPrice()) ?? 0),
            'basket' => $basket,
            'refund' => $refund?->toArray(),
        ];
        $this->store->advance($request->operationId, OperationRecord::DONE, $answer);

        return $answer;
    }

    /** The stored record when this id was seen before; null when this call claimed it fresh. */
    private function claim(PartialApplyRequest $request): ?OperationRecord
    {
        $record = $this->store->find($request->operationId);
        if ($record === null && $this->store->start($request->operationId, $request->orderId)) {
            return null;
        }
        $record ??= $this->store->find($request->operationId);
        if ($record === null) {
            throw new ModuleError(ModuleError::ORDER_LOCKED, sprintf('Operation %s is being applied right now', $request->operationId));
        }
        if ($record->orderId !== $request->orderId) {
            throw new ModuleError(ModuleError::BAD_REQUEST, sprintf('operationId %s belongs to order %d', $request->operationId, $record->orderId));
        }
        if ($record->isInProgress() && ($this->clock)() - $record->updatedAt < self::STALE_AFTER) {
            throw new ModuleError(ModuleError::ORDER_LOCKED, sprintf('Operation %s is being applied right now', $request->operationId));
        }

        return $record;
    }

    /** @return array{Order, Shipment} */
    private function load(PartialApplyRequest $request): array
    {
        $order = Order::load($request->orderId);
        if (!$order instanceof Order) {
            throw new ModuleError(ModuleError::ORDER_NOT_FOUND, sprintf('Order %d not found', $request->orderId));
        }
        $shipment = $order->getShipmentCollection()->getItemById($request->shipmentId);
        if (!$shipment instanceof Shipment || $shipment->isSystem()) {
            throw new ModuleError(ModuleError::ORDER_NOT_FOUND, sprintf('Shipment %d is not in order %d', $request->shipmentId, $request->orderId));
        }
        if (Order::isLocked($request->orderId)) {
            throw new ModuleError(ModuleError::ORDER_LOCKED, sprintf('Order %d is being edited by a manager', $request->orderId));
        }

        return [$order, $shipment];
    }

    private static function checkRefundAmount(Order $order, int $amount): void
    {
        $paid = Money::toKopecks((float) $order->getPaymentCollection()->getPaidSum()) ?? 0;
        if ($amount > $paid) {
            throw new ModuleError(ModuleError::BAD_REQUEST, sprintf('refund.amount %s exceeds the paid %s', Money::format($amount), Money::format($paid)));
        }
    }

    private function settleRefund(Order $order, PartialApplyRequest $request, PartialApplyRun $run): ?RefundOutcome
    {
        if ($request->refund === null) {
            return null;
        }
        if ($run->decidesRefund()) {
            return $this->refunder->refund(
                $order,
                $request->refund,
                $request->operationId,
                function (Payment $payment) use ($run): void {
                    // Durable before the gateway moves money: a crash after this is never refunded twice.
                    $this->record($run, OperationRecord::REFUNDING, ['paymentId' => (int) $payment->getId()]);
                    $run->gatewayCalled = true;
                },
            );
        }
        $earlier = $run->record;
        if ($earlier !== null && $earlier->hasDecidedRefund() && is_array($earlier->answer['refund'])) {
            return $this->refunder->replay($order, $request->refund, $request->operationId, RefundOutcome::fromArray($earlier->answer['refund']));
        }
        $paymentId = $earlier?->answer['paymentId'] ?? null;

        return $this->refunder->unknownOutcome($order, $request->refund, $request->operationId, is_int($paymentId) ? $paymentId : null);
    }

    /** @param array<string, mixed> $answer */
    private function record(PartialApplyRun $run, string $stage, array $answer): void
    {
        $this->store->advance($run->request->operationId, $stage, $answer);
        $run->known = $answer;
    }

    private function save(Order $order, PartialApplyRun $run): void
    {
        $saved = LoopGuard::run(static fn () => $order->save());
        if ($saved->isSuccess()) {
            return;
        }
        $message = 'Bitrix did not save the order: ' . implode('; ', $saved->getErrorMessages());
        $refund = $run->known['refund'] ?? null;
        if (is_array($refund) && ($refund['status'] ?? '') === RefundOutcome::DONE) {
            $message .= sprintf(
                '. The refund of %s went through the pay system; call again with operationId %s to record it (it will not be refunded twice)',
                Money::format(Money::toKopecks($refund['amount'] ?? 0) ?? 0),
                $run->request->operationId,
            );
        }
        $run->saveRefused = true;
        throw new ModuleError(ModuleError::SAVE_FAILED, $message);
    }

    /**
     * After an error: an operation that touched nothing is forgotten (a corrected call may reuse
     * the id); one that called a gateway or may have saved stays, for the next call to finish.
     */
    private function release(PartialApplyRun $run, ?Order $order): void
    {
        if ($order !== null) {
            // Not saved (or not known to be): a credit still queued must not ride on a later save.
            $this->refunder->abandon($order);
        }
        try {
            if ($run->isForgettable()) {
                $this->store->forget($run->request->operationId);
            } else {
                $this->store->advance($run->request->operationId, OperationRecord::RETRY, $run->known);
            }
        } catch (\Throwable $e) {
            // The record keeps its last stage; after STALE_AFTER the next call resumes from it.
            $this->logger->warning('REST_FAILED', 'operation ' . $run->request->operationId . ' not released: ' . $e->getMessage(), (string) $run->request->orderId);
        }
    }
}
