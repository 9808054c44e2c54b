<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Refund;

use Bitrix\Main\Type\Date;
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
 * Changes the order in memory; the caller saves it.
 */
final class Refunder
{
    public const DETAIL_DONE = 'Refunded through the pay system';
    public const DETAIL_INNER_ACCOUNT = "Credited to the buyer's inner account";
    public const DETAIL_MANUAL = 'Nothing moved: a manager has to refund the amount by hand';

    /** @var \Closure(int, float, string, int, string): bool */
    private readonly \Closure $creditInnerAccount;

    /**
     * @param (callable(int $userId, float $amount, string $currency, int $orderId, string $note): bool)|null $creditInnerAccount
     */
    public function __construct(
        private readonly Options $options,
        private readonly Logger $logger,
        ?callable $creditInnerAccount = null,
    ) {
        $this->creditInnerAccount = \Closure::fromCallable($creditInnerAccount ?? [self::class, 'creditThroughBitrix']);
    }

    /** @param array{amount: int, reason: string} $refund */
    public function refund(Order $order, array $refund, string $operationId): RefundOutcome
    {
        $amount = $refund['amount'];
        $paid = self::paidPayments($order);
        $first = $paid[0] ?? null;
        $problems = [];
        if ($paid === [] || $amount === 0) {
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
            try {
                $result = $service->refund($payment, Money::toFloat($amount));
            } catch (\Throwable $e) {
                $problems[] = sprintf('payment %d: %s', (int) $payment->getId(), $e->getMessage());
                continue;
            }
            if ($result->isSuccess()) {
                $payment->setField('PAY_RETURN_NUM', mb_substr($operationId, 0, 20));
                $payment->setField('PAY_RETURN_DATE', new Date());
                $payment->setField('PAY_RETURN_COMMENT', mb_substr($refund['reason'], 0, 255));

                return new RefundOutcome(RefundOutcome::DONE, $amount, (int) $payment->getId(), (string) $payment->getPaymentSystemName(), self::DETAIL_DONE);
            }
            $problems[] = sprintf('payment %d: %s', (int) $payment->getId(), implode('; ', $result->getErrorMessages()));
        }

        $userId = (int) $order->getUserId();
        if ($this->options->refundToInnerAccount && $userId > 0) {
            $credited = ($this->creditInnerAccount)(
                $userId,
                Money::toFloat($amount),
                (string) $order->getCurrency(),
                (int) $order->getId(),
                $refund['reason'],
            );
            if ($credited) {
                return new RefundOutcome(
                    RefundOutcome::INNER_ACCOUNT,
                    $amount,
                    $first !== null ? (int) $first->getId() : null,
                    Messages::get('OZONROCKET_INNER_ACCOUNT'),
                    self::DETAIL_INNER_ACCOUNT,
                );
            }
            $problems[] = 'the inner account was not credited';
        }

        return $this->manual($order, $refund, $first, $problems);
    }

    /**
     * A refund was started once and its outcome is not known (the process died): trying again
     * could pay twice, so a manager has to look.
     *
     * @param array{amount: int, reason: string} $refund
     */
    public function unknownOutcome(Order $order, array $refund, string $operationId): RefundOutcome
    {
        $paid = self::paidPayments($order);

        return $this->manual($order, $refund, $paid[0] ?? null, [
            sprintf('a refund for operation %s was started before and its outcome is unknown: check the pay system first', $operationId),
        ]);
    }

    /**
     * @param array{amount: int, reason: string} $refund
     * @param list<string> $problems
     */
    private function manual(Order $order, array $refund, ?Payment $first, array $problems): RefundOutcome
    {
        $note = Messages::get('OZONROCKET_MANUAL_REFUND', ['#AMOUNT#' => Money::format($refund['amount'])]);
        if ($refund['reason'] !== '') {
            $note .= ' ' . $refund['reason'];
        }
        $comments = trim((string) $order->getField('COMMENTS'));
        $order->setField('COMMENTS', ($comments !== '' ? $comments . "\n" : '') . $note);
        if ($this->options->manualRefundStatus !== '') {
            $order->setField('STATUS_ID', $this->options->manualRefundStatus);
        }
        $detail = self::DETAIL_MANUAL . ($problems !== [] ? ' (' . implode('; ', $problems) . ')' : '');
        if ($problems !== []) {
            $this->logger->warning('REFUND_MANUAL', $detail, (string) $order->getId());
        }

        return new RefundOutcome(
            RefundOutcome::MANUAL,
            $refund['amount'],
            $first !== null ? (int) $first->getId() : null,
            $first !== null ? (string) $first->getPaymentSystemName() : '',
            $detail,
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

    private static function creditThroughBitrix(int $userId, float $amount, string $currency, int $orderId, string $note): bool
    {
        if (!class_exists(\CSaleUserAccount::class)) {
            return false;
        }

        return (bool) \CSaleUserAccount::UpdateAccount($userId, $amount, $currency, 'OZONROCKET_REFUND', $orderId, $note);
    }
}
