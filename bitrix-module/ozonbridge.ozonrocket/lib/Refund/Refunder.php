<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Refund;

use Bitrix\Sale\Order;
use Bitrix\Sale\Payment;
use OzonBridge\OzonRocket\Logger;
use OzonBridge\OzonRocket\Messages;
use OzonBridge\OzonRocket\Money;
use OzonBridge\OzonRocket\Options;

/**
 * Gives a prepaid buyer money back: through the pay system when it can refund (IRefund), else
 * onto the buyer's Bitrix inner account (when the shop allows it), else it leaves a manager task
 * (an order comment and, if set, an order status). It never says "done" unless money moved.
 *
 * Everything it records goes onto the order in memory, for the caller's one Order::save(): the
 * payment's return number/date/comment, the inner-account credit (a UserBudgetPool item), the
 * manager task. The pay system's refund is the one step that cannot wait for the save — the
 * gateway moves money when called, as it does inside Bitrix's own Payment::setReturn() — so the
 * caller's $beforeGateway hook runs first and must make "a refund was started" durable.
 */
final class Refunder
{
    public const DETAIL_DONE = 'Refunded through the pay system';
    public const DETAIL_INNER_ACCOUNT = "Credited to the buyer's inner account";
    public const DETAIL_MANUAL = 'Nothing moved: a manager has to refund the amount by hand';

    public function __construct(
        private readonly Options $options,
        private readonly Logger $logger,
        private readonly InnerAccount $innerAccount = new InnerAccount(),
    ) {
    }

    /**
     * @param array{amount: int, reason: string} $refund
     * @param callable(Payment): void $beforeGateway runs before each pay-system refund call
     */
    public function refund(Order $order, array $refund, string $operationId, callable $beforeGateway): RefundOutcome
    {
        $amount = $refund['amount'];
        $paid = self::paidPayments($order);
        $first = $paid[0] ?? null;
        $problems = [];
        if ($first === null || $amount === 0) {
            return $this->manual($order, $refund, $first, $problems);
        }
        foreach ($paid as $payment) {
            $service = $payment->getPaySystem();
            if ($service === null || !$service->isRefundable()) {
                continue;
            }
            if (Money::toKopecks((float) $payment->getSum()) < $amount) {
                $problems[] = sprintf('payment %d is less than the refund', (int) $payment->getId());
                continue;
            }
            $beforeGateway($payment);
            try {
                $result = $service->refund($payment, Money::toFloat($amount));
            } catch (\Throwable $e) {
                // A timeout or a crash inside the handler: the money may have left. Trying another
                // way now could pay twice, so a manager checks the gateway.
                return $this->manual($order, $refund, $payment, [self::checkGateway($operationId, $payment, $e->getMessage())]);
            }
            if ($result->isSuccess()) {
                ReturnRecord::write($payment, $operationId, $refund['reason']);

                return new RefundOutcome(RefundOutcome::DONE, $amount, (int) $payment->getId(), (string) $payment->getPaymentSystemName(), self::DETAIL_DONE);
            }
            $problems[] = sprintf('payment %d: %s', (int) $payment->getId(), implode('; ', $result->getErrorMessages()));
        }

        if ($this->options->refundToInnerAccount) {
            if ($this->innerAccount->credit($order, $first, $amount)) {
                ReturnRecord::write($first, $operationId, $refund['reason']);

                return $this->innerAccountOutcome($amount, $first);
            }
            $problems[] = 'the inner account cannot be credited (no buyer, the account locked or busy)';
        }

        return $this->manual($order, $refund, $first, $problems);
    }

    /**
     * A refund was started once and its outcome is not known (the process died): trying again
     * could pay twice, so a manager has to look.
     *
     * @param array{amount: int, reason: string} $refund
     */
    public function unknownOutcome(Order $order, array $refund, string $operationId, ?int $paymentId = null): RefundOutcome
    {
        $payment = $paymentId !== null ? $order->getPaymentCollection()->getItemById($paymentId) : null;
        $payment = $payment instanceof Payment ? $payment : (self::paidPayments($order)[0] ?? null);

        return $this->manual($order, $refund, $payment, [self::checkGateway($operationId, $payment, 'the call stopped before its outcome was recorded')], true);
    }

    /**
     * Records an outcome decided by an earlier call again, on a freshly loaded order: that call's
     * save may or may not have happened, so nothing is written twice and no money moves again.
     *
     * @param array{amount: int, reason: string} $refund
     */
    public function replay(Order $order, array $refund, string $operationId, RefundOutcome $outcome): RefundOutcome
    {
        $payment = $outcome->paymentId !== null ? $order->getPaymentCollection()->getItemById($outcome->paymentId) : null;
        $payment = $payment instanceof Payment ? $payment : null;
        if ($outcome->status === RefundOutcome::DONE && $payment !== null) {
            ReturnRecord::write($payment, $operationId, $refund['reason']);

            return $outcome;
        }
        if ($outcome->status === RefundOutcome::INNER_ACCOUNT && $payment !== null) {
            if (ReturnRecord::isWritten($payment, $operationId)) {
                return $outcome; // that save happened: the credit went with it
            }
            if ($this->innerAccount->credit($order, $payment, $outcome->amountKopecks)) {
                ReturnRecord::write($payment, $operationId, $refund['reason']);

                return $outcome;
            }

            return $this->manual($order, $refund, $payment, ['the inner account cannot be credited (no buyer, the account locked or busy)'], true);
        }
        if ($outcome->status === RefundOutcome::MANUAL) {
            $this->manual($order, $refund, $payment, [], true);

            return $outcome;
        }

        // An outcome without its payment (deleted since?): a manager decides.
        return $this->manual($order, $refund, $payment, [sprintf('payment %s of the recorded %s refund is gone', (string) $outcome->paymentId, $outcome->status)], true);
    }

    /** The order was not saved: the inner-account credit queued for it must not be applied later. */
    public function abandon(Order $order): void
    {
        $this->innerAccount->cancel($order);
    }

    private function innerAccountOutcome(int $amount, Payment $payment): RefundOutcome
    {
        return new RefundOutcome(
            RefundOutcome::INNER_ACCOUNT,
            $amount,
            (int) $payment->getId(),
            Messages::get('OZONROCKET_INNER_ACCOUNT'),
            self::DETAIL_INNER_ACCOUNT,
        );
    }

    /**
     * @param array{amount: int, reason: string} $refund
     * @param list<string> $problems
     * @param bool $once a resumed call: the task may be on the order already
     */
    private function manual(Order $order, array $refund, ?Payment $payment, array $problems, bool $once = false): RefundOutcome
    {
        $note = Messages::get('OZONROCKET_MANUAL_REFUND', ['#AMOUNT#' => Money::format($refund['amount'])]);
        if ($refund['reason'] !== '') {
            $note .= ' ' . $refund['reason'];
        }
        $comments = trim((string) $order->getField('COMMENTS'));
        if (!$once || !str_contains($comments, $note)) {
            $order->setField('COMMENTS', ($comments !== '' ? $comments . "\n" : '') . $note);
        }
        if ($this->options->manualRefundStatus !== '' && $order->getField('STATUS_ID') !== $this->options->manualRefundStatus) {
            $order->setField('STATUS_ID', $this->options->manualRefundStatus);
        }
        $detail = self::DETAIL_MANUAL . ($problems !== [] ? ' (' . implode('; ', $problems) . ')' : '');
        if ($problems !== []) {
            $this->logger->warning('REFUND_MANUAL', $detail, (string) $order->getId());
        }

        return new RefundOutcome(
            RefundOutcome::MANUAL,
            $refund['amount'],
            $payment !== null ? (int) $payment->getId() : null,
            $payment !== null ? (string) $payment->getPaymentSystemName() : '',
            $detail,
        );
    }

    private static function checkGateway(string $operationId, ?Payment $payment, string $why): string
    {
        return sprintf(
            'a refund for operation %s was started%s and its outcome is unknown (%s): check the pay system before refunding by hand',
            $operationId,
            $payment !== null ? sprintf(' through payment %d', (int) $payment->getId()) : '',
            $why,
        );
    }

    /** @return list<Payment> */
    private static function paidPayments(Order $order): array
    {
        $paid = [];
        foreach ($order->getPaymentCollection() as $payment) {
            if ($payment->isPaid() && (float) $payment->getSum() > 0) {
                $paid[] = $payment;
            }
        }

        return $paid;
    }
}
