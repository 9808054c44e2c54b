<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Rest;

use Bitrix\Sale\BasketItem;
use Bitrix\Sale\Order;
use Bitrix\Sale\Shipment;
use Bitrix\Sale\ShipmentItem;
use OzonBridge\OzonRocket\Money;
use OzonBridge\OzonRocket\Options;

/**
 * The order side of a partial acceptance, in memory: the accepted quantities become the basket
 * (refused lines leave it, and the shipment first), the delivery price, the comment. plan()
 * checks every line before apply() changes anything; the caller saves.
 *
 * A resumed call (an earlier one may have saved the same change) is harmless: a line already at
 * its accepted quantity is left alone, a refused line already gone counts as deleted, and the
 * comment is not added twice.
 */
final class BasketEditor
{
    private const EPSILON = 1e-6;

    public function __construct(private readonly Options $options)
    {
    }

    /**
     * @return list<array{int, float, ?BasketItem}> basket id, accepted quantity, the line (null: gone)
     */
    public function plan(Order $order, PartialApplyRequest $request, bool $resumed): array
    {
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

        return $plan;
    }

    /**
     * @param list<array{int, float, ?BasketItem}> $plan from plan()
     * @return list<array<string, mixed>> the answer's `basket`
     */
    public function apply(Order $order, Shipment $shipment, array $plan, PartialApplyRequest $request, bool $resumed): array
    {
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
        $comments = trim((string) $order->getField('COMMENTS'));
        if ($request->comment !== '' && !($resumed && str_contains($comments, $request->comment))) {
            self::check($order->setField('COMMENTS', ($comments !== '' ? $comments . "\n" : '') . $request->comment));
        }

        return $basket;
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
