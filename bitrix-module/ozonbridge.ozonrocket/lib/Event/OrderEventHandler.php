<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Event;

use Bitrix\Main\Event;
use Bitrix\Sale\Order;
use Bitrix\Sale\Shipment;
use OzonBridge\OzonRocket\Delivery\DeliveryLookup;
use OzonBridge\OzonRocket\LoopGuard;
use OzonBridge\OzonRocket\Options;
use OzonBridge\OzonRocket\Services;
use OzonBridge\OzonRocket\Shipment\SendResult;
use OzonBridge\OzonRocket\Shipment\ShipmentService;

/**
 * Sends Ozon Rocket shipments to the bridge on the shop's trigger (an order status, or "delivery
 * allowed"). OnShipmentAllowDelivery fires while the shipments are being saved, so it only notes
 * the shipment and the work happens on OnSaleOrderSaved. OnSaleStatusOrderChange is one of the
 * delayed events OrderBase::save() sends after OnSaleOrderSaved, when everything is written, so
 * it sends at once. Either way on a freshly loaded order, saved under the LoopGuard.
 *
 * No loops, no second create: the module's own saves run under the LoopGuard; a shipment that
 * carries an Ozon order id is not sent again; and the bridge itself answers a repeated Bitrix
 * shipment with the same Ozon order (so updates pushed through plain sale.* methods are safe too).
 */
final class OrderEventHandler
{
    /** @var array<int, array<int, Shipment>> order object id => shipment object id => shipment */
    private static array $queue = [];

    private function __construct()
    {
    }

    /** sale:OnSaleStatusOrderChange (ENTITY: Order, VALUE: the new status), after the order is saved. */
    public static function onSaleStatusOrderChange(Event $event): void
    {
        self::guarded(static function () use ($event): void {
            $options = Services::options();
            $order = $event->getParameter('ENTITY');
            if ($options->shipmentTrigger !== Options::TRIGGER_STATUS
                || $options->shipmentTriggerStatus === ''
                || !$order instanceof Order
                || (int) $order->getId() <= 0
                || (string) $event->getParameter('VALUE') !== $options->shipmentTriggerStatus) {
                return;
            }
            $shipmentIds = [];
            foreach ($order->getShipmentCollection() as $shipment) {
                if ((int) $shipment->getId() > 0 && self::isCandidate($shipment)) {
                    $shipmentIds[] = (int) $shipment->getId();
                }
            }
            if ($shipmentIds !== []) {
                self::send((int) $order->getId(), $shipmentIds);
            }
        });
    }

    /** sale:OnShipmentAllowDelivery (ENTITY: Shipment). */
    public static function onShipmentAllowDelivery(Event $event): void
    {
        self::guarded(static function () use ($event): void {
            $shipment = $event->getParameter('ENTITY');
            if (Services::options()->shipmentTrigger !== Options::TRIGGER_ALLOW_DELIVERY
                || !$shipment instanceof Shipment
                || !$shipment->isAllowDelivery()) {
                return;
            }
            $order = $shipment->getCollection()->getOrder();
            if ($order instanceof Order) {
                self::enqueue($order, $shipment);
            }
        });
    }

    /** sale:OnSaleOrderSaved (ENTITY: Order): send what the triggers noted. */
    public static function onSaleOrderSaved(Event $event): void
    {
        $order = $event->getParameter('ENTITY');
        if (!$order instanceof Order) {
            return;
        }
        $queued = self::$queue[spl_object_id($order)] ?? [];
        unset(self::$queue[spl_object_id($order)]);
        if ($queued === [] || LoopGuard::active()) {
            return;
        }
        $shipmentIds = [];
        foreach ($queued as $shipment) {
            $shipmentIds[] = (int) $shipment->getId();
        }
        self::guarded(static fn (): array => self::send((int) $order->getId(), $shipmentIds));
    }

    /**
     * Sends shipments of a saved order and saves what the bridge answered (the admin's "send now"
     * and agents may call it too).
     *
     * @param list<int> $shipmentIds
     * @return array<int, SendResult> shipment id => result
     */
    public static function send(int $orderId, array $shipmentIds, bool $force = false): array
    {
        $order = Order::load($orderId);
        if (!$order instanceof Order) {
            return [];
        }
        $service = new ShipmentService(Services::transport(), Services::options(), Services::logger());
        $results = [];
        $changed = false;
        foreach ($shipmentIds as $shipmentId) {
            $shipment = $order->getShipmentCollection()->getItemById($shipmentId);
            if (!$shipment instanceof Shipment) {
                continue;
            }
            $results[$shipmentId] = $result = $service->send($shipment, $force);
            $changed = $changed || $result->changedShipment();
        }
        if ($changed) {
            $saved = LoopGuard::run(static fn () => $order->save());
            if (!$saved->isSuccess()) {
                Services::logger()->warning(
                    'SHIPMENT_SAVE_FAILED',
                    implode('; ', $saved->getErrorMessages()),
                    (string) $orderId,
                );
            }
        }

        return $results;
    }

    /** Forget noted shipments (tests). */
    public static function reset(): void
    {
        self::$queue = [];
    }

    private static function enqueue(Order $order, Shipment $shipment): void
    {
        if (self::isCandidate($shipment)) {
            self::$queue[spl_object_id($order)][spl_object_id($shipment)] = $shipment;
        }
    }

    /** An Ozon Rocket shipment not sent yet. */
    private static function isCandidate(Shipment $shipment): bool
    {
        return !$shipment->isSystem()
            && !ShipmentService::isSent($shipment)
            && DeliveryLookup::profile((int) $shipment->getDeliveryId()) !== null;
    }

    /** Our own saves are not triggers; and an event handler never breaks the save it rides on. */
    private static function guarded(callable $work): void
    {
        if (LoopGuard::active()) {
            return;
        }
        try {
            $work();
        } catch (\Throwable $e) {
            Services::logger()->warning('EVENT_FAILED', get_class($e) . ': ' . $e->getMessage());
        }
    }
}
