<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Refund;

use Bitrix\Sale\Internals\UserBudgetPool;
use Bitrix\Sale\Order;
use Bitrix\Sale\Payment;
use OzonBridge\OzonRocket\Money;

/**
 * Credits the buyer's Bitrix inner account the way Bitrix's own inner pay system refunds
 * (Sale\Handlers\PaySystem\InnerHandler::refund): a UserBudgetPool item that Order::save()
 * applies, so the credit lands in the same save as the basket change, or not at all.
 */
final class InnerAccount
{
    /** @var array<int, list<array{int, int|string}>> order object id => [user id, pool index] */
    private array $queued = [];

    /** False when the credit cannot be queued: no budget API, the account locked, or the pool busy. */
    public function credit(Order $order, Payment $payment, int $amountKopecks): bool
    {
        $userId = (int) $order->getUserId();
        if ($userId <= 0 || $amountKopecks <= 0 || !class_exists(UserBudgetPool::class)) {
            return false;
        }
        if (class_exists(\CSaleUserAccount::class)) {
            $account = \CSaleUserAccount::GetByUserId($userId, (string) $order->getCurrency());
            if (is_array($account) && ($account['LOCKED'] ?? 'N') === 'Y') {
                return false; // InnerHandler refuses a locked account too
            }
        }
        $amount = Money::toFloat($amountKopecks);
        $pool = UserBudgetPool::getUserBudgetPool($userId);
        $before = array_keys((array) $pool->get());
        UserBudgetPool::addPoolItem($order, $amount, UserBudgetPool::BUDGET_TYPE_ORDER_PART_RETURN, $payment);
        // add() queues nothing, silently, when another process holds the user's budget lock.
        $added = array_diff(array_keys((array) $pool->get()), $before);
        if ($added === []) {
            return false;
        }
        foreach ($added as $index) {
            $this->queued[spl_object_id($order)][] = [$userId, $index];
        }

        return true;
    }

    /** Takes back what credit() queued for an order that was not saved. */
    public function cancel(Order $order): void
    {
        foreach ($this->queued[spl_object_id($order)] ?? [] as [$userId, $index]) {
            UserBudgetPool::getUserBudgetPool($userId)->delete($index);
        }
        unset($this->queued[spl_object_id($order)]);
    }
}
