<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Rest;

use Bitrix\Sale\BasketItem;
use Bitrix\Sale\Order;
use Bitrix\Sale\Shipment;
use Bitrix\Sale\ShipmentItem;
use OzonBridge\OzonRocket\LoopGuard;
use OzonBridge\OzonRocket\Logger;
use OzonBridge\OzonRocket\Money;
use OzonBridge\OzonRocket\Options;
use OzonBridge\OzonRocket\Refund\Refunder;
use OzonBridge\OzonRocket\Storage\OperationRecord;
use OzonBridge\OzonRocket\Storage\OperationStore;

/**
 * ozonrocket.partial.apply: the accepted quantities become the basket, the delivery price is kept
 * or refunded, and prepaid money for refused goods goes back — all checked before anything changes,
 * the basket in one Order::save(), and the same operationId again answers the first answer.
 *
 * The refund runs after the basket is saved (money must not move for a change Bitrix refused) and
 * is recorded by a second save. A process that dies between the two is resumed on the next call
 * with that operationId; a refund that was started and not recorded is never tried twice.
 */
final class PartialApplier
{
    /** An `applying` claim older than this belongs to a process that died. */
    private const STALE_AFTER = 120;
    private const EPSILON = 1e-6;

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
        $stage = $record?->stage ?? OperationRecord::APPLYING;

        try {
            [$order] = $this->load($request);
            if ($stage === OperationRecord::APPLYING) {
                $basket = $this->changeBasket($order, $request, $record !== null);
                $this->save($order);
                $this->store->advance($request->operationId, OperationRecord::BASKET_SAVED, ['basket' => $basket]);
                [$order] = $this->load($request, false); // fresh: the price and payments as Bitrix saved them
            } else {
                $basket = is_array($record?->answer['basket'] ?? null) ? $record->answer['basket'] : [];
            }
        } catch (ModuleError $e) {
            if ($stage === OperationRecord::APPLYING) {
                $this->store->forget($request->operationId); // nothing was changed
            }
            throw $e;
        }

        $refund = null;
        if ($request->refund !== null) {
            if ($stage === OperationRecord::REFUNDING) {
                $refund = $this->refunder->unknownOutcome($order, $request->refund, $request->operationId);
            } else {
                $this->store->advance($request->operationId, OperationRecord::REFUNDING, ['basket' => $basket]);
                $refund = $this->refunder->refund($order, $request->refund, $request->operationId);
            }
            $saved = LoopGuard::run(static fn () => $order->save());
            if (!$saved->isSuccess()) {
                // The money outcome stands (it happened); only its note on the order is missing.
                $this->logger->warning('REFUND_RECORD_FAILED', implode('; ', $saved->getErrorMessages()), (string) $request->orderId);
            }
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
        if ($record->stage === OperationRecord::APPLYING && ($this->clock)() - $record->updatedAt < self::STALE_AFTER) {
            throw new ModuleError(ModuleError::ORDER_LOCKED, sprintf('Operation %s is being applied right now', $request->operationId));
        }

        return $record;
    }

    /** @return array{Order, Shipment} */
    private function load(PartialApplyRequest $request, bool $checkLock = true): array
    {
        $order = Order::load($request->orderId);
        if (!$order instanceof Order) {
            throw new ModuleError(ModuleError::ORDER_NOT_FOUND, sprintf('Order %d not found', $request->orderId));
        }
        $shipment = $order->getShipmentCollection()->getItemById($request->shipmentId);
        if (!$shipment instanceof Shipment || $shipment->isSystem()) {
            throw new ModuleError(ModuleError::ORDER_NOT_FOUND, sprintf('Shipment %d is not in order %d', $request->shipmentId, $request->orderId));
        }
        if ($checkLock && Order::isLocked($request->orderId)) {
            throw new ModuleError(ModuleError::ORDER_LOCKED, sprintf('Order %d is being edited by a manager', $request->orderId));
        }

        return [$order, $shipment];
    }

    /**
     * Checks every line and the refund first, then changes the order in memory.
     *
     * @param bool $resumed a previous call may have saved this change already (deleted lines are gone)
     * @return list<array<string, mixed>> the answer's `basket`
     */
    private function changeBasket(Order $order, PartialApplyRequest $request, bool $resumed): array
    {
        /** @var Shipment $shipment */
        $shipment = $order->getShipmentCollection()->getItemById($request->shipmentId);
        $plan = [];
        $seen = [];
        foreach ($request->lines as $position => $line) {
            $basketId = $line['basketId'];
            $accepted = $line['acceptedQuantity'];
            if (isset($seen[$basketId])) {
                throw new ModuleError(ModuleError::BAD_LINES, sprintf('lines[%d]: basket line %d repeated', $position, $basketId));
            }
            $seen[$basketId] = true;
            $item = $order->getBasket()->getItemById($basketId);
            if (!$item instanceof BasketItem) {
                if ($resumed && $accepted < self::EPSILON) {
                    $plan[] = [$basketId, 0.0, null];
                    continue;
                }
                throw new ModuleError(ModuleError::BAD_LINES, sprintf('lines[%d]: basket line %d is not in order %d', $position, $basketId, $request->orderId));
            }
            $quantity = (float) $item->getQuantity();
            if ($accepted > $quantity + self::EPSILON) {
                throw new ModuleError(ModuleError::BAD_LINES, sprintf('lines[%d]: acceptedQuantity %s outside 0..%s', $position, self::number($accepted), self::number($quantity)));
            }
            $plan[] = [$basketId, $accepted, $item];
        }
        if ($request->refund !== null) {
            $paid = Money::toKopecks((float) $order->getPaymentCollection()->getPaidSum()) ?? 0;
            if ($request->refund['amount'] > $paid) {
                throw new ModuleError(ModuleError::BAD_REQUEST, sprintf('refund.amount %s exceeds the paid %s', Money::format($request->refund['amount']), Money::format($paid)));
            }
        }

        $changes = array_filter($plan, static fn (array $step): bool => $step[2] !== null && abs((float) $step[2]->getQuantity() - $step[1]) > self::EPSILON);
        $wasShipped = $shipment->isShipped();
        if ($wasShipped && $changes !== []) {
            // Bitrix does not change a deducted shipment's goods: undo the deduction, change, redo it.
            self::check($shipment->setField('DEDUCTED', 'N'));
        }
        $basket = [];
        foreach ($plan as [$basketId, $accepted, $item]) {
            if ($item === null) {
                $basket[] = ['basketId' => $basketId, 'deleted' => true];
                continue;
            }
            $quantity = (float) $item->getQuantity();
            if ($accepted < self::EPSILON) {
                $shipmentItem = self::shipmentItem($shipment, $basketId);
                if ($shipmentItem !== null) {
                    self::check($shipmentItem->delete());
                }
                self::check($item->delete());
                $basket[] = ['basketId' => $basketId, 'deleted' => true];
                continue;
            }
            if (abs($quantity - $accepted) > self::EPSILON) {
                // The refused goods leave this shipment first; Bitrix then lets the basket shrink.
                $shipmentItem = self::shipmentItem($shipment, $basketId);
                if ($shipmentItem !== null) {
                    $left = max(0.0, (float) $shipmentItem->getQuantity() - ($quantity - $accepted));
                    self::check($left < self::EPSILON ? $shipmentItem->delete() : $shipmentItem->setQuantity($left));
                }
                self::check($item->setField('QUANTITY', $accepted));
            }
            $basket[] = ['basketId' => $basketId, 'quantity' => self::number($accepted)];
        }
        if ($wasShipped && $changes !== [] && count($shipment->getShipmentItemCollection()) > 0) {
            self::check($shipment->setField('DEDUCTED', 'Y'));
        }

        if ($request->deliveryPriceKopecks !== null && $this->options->partialDeliveryPrice === Options::DELIVERY_PRICE_FROM_BRIDGE) {
            $price = Money::toFloat($request->deliveryPriceKopecks);
            self::check($shipment->setField('CUSTOM_PRICE_DELIVERY', 'Y'));
            self::check($shipment->setField('BASE_PRICE_DELIVERY', $price));
            self::check($shipment->setField('PRICE_DELIVERY', $price));
        }
        if ($request->comment !== '') {
            $comments = trim((string) $order->getField('COMMENTS'));
            $order->setField('COMMENTS', ($comments !== '' ? $comments . "\n" : '') . $request->comment);
        }

        return $basket;
    }

    private function save(Order $order): void
    {
        $saved = LoopGuard::run(static fn () => $order->save());
        if (!$saved->isSuccess()) {
            throw new ModuleError(ModuleError::SAVE_FAILED, 'Bitrix did not save the order: ' . implode('; ', $saved->getErrorMessages()));
        }
    }

    private static function shipmentItem(Shipment $shipment, int $basketId): ?ShipmentItem
    {
        foreach ($shipment->getShipmentItemCollection() as $shipmentItem) {
            if ((int) $shipmentItem->getBasketId() === $basketId) {
                return $shipmentItem;
            }
        }

        return null;
    }

    /** @param \Bitrix\Main\Result $result */
    private static function check(object $result): void
    {
        if (!$result->isSuccess()) {
            throw new ModuleError(ModuleError::SAVE_FAILED, 'Bitrix refused the change: ' . implode('; ', $result->getErrorMessages()));
        }
    }

    private static function number(float $value): int|float
    {
        return abs($value - round($value)) < self::EPSILON ? (int) round($value) : $value;
    }
}
