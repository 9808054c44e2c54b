<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Rest;

use Bitrix\Sale\DeliveryStatus;
use Bitrix\Sale\Internals\ShipmentTable;
use Bitrix\Sale\Order;
use Bitrix\Sale\OrderStatus;
use Bitrix\Sale\Shipment;
use OzonBridge\OzonRocket\LoopGuard;

/**
 * ozonrocket.shipment.status: the shipment's status and tracking number (and optionally the
 * order's status), keeping deliveryId, allowDelivery, deducted and the price as they are.
 */
final class ShipmentStatusSetter
{
    /**
     * @param array<string, mixed> $query
     * @return array{shipmentId: int, statusId: string, trackingNumber: string|null}
     */
    public function apply(array $query): array
    {
        $shipmentId = $query['shipmentId'] ?? null;
        $shipmentId = is_numeric($shipmentId) && (int) $shipmentId > 0 ? (int) $shipmentId : 0;
        $statusId = is_string($query['statusId'] ?? null) ? trim($query['statusId']) : '';
        $tracking = $query['trackingNumber'] ?? null;
        $orderStatusId = $query['orderStatusId'] ?? null;
        if ($shipmentId === 0) {
            throw new ModuleError(ModuleError::ORDER_NOT_FOUND, 'shipmentId is required');
        }
        if (!self::exists($statusId, DeliveryStatus::getAllStatuses())) {
            throw new ModuleError(ModuleError::BAD_REQUEST, sprintf('Delivery status %s does not exist', var_export($statusId, true)));
        }
        if ($orderStatusId !== null && $orderStatusId !== '' && !self::exists((string) $orderStatusId, OrderStatus::getAllStatuses())) {
            throw new ModuleError(ModuleError::BAD_REQUEST, sprintf('Order status %s does not exist', var_export($orderStatusId, true)));
        }

        $row = ShipmentTable::getById($shipmentId)->fetch();
        $order = is_array($row) ? Order::load((int) $row['ORDER_ID']) : null;
        $shipment = $order instanceof Order ? $order->getShipmentCollection()->getItemById($shipmentId) : null;
        if (!$order instanceof Order || !$shipment instanceof Shipment) {
            throw new ModuleError(ModuleError::ORDER_NOT_FOUND, sprintf('Shipment %d not found', $shipmentId));
        }
        if (Order::isLocked((int) $order->getId())) {
            throw new ModuleError(ModuleError::ORDER_LOCKED, sprintf('Order %d is being edited by a manager', (int) $order->getId()));
        }

        self::check($shipment->setField('STATUS_ID', $statusId));
        if ($tracking !== null && $tracking !== '') {
            self::check($shipment->setField('TRACKING_NUMBER', mb_substr((string) $tracking, 0, 255)));
        }
        if ($orderStatusId !== null && $orderStatusId !== '' && $order->getField('STATUS_ID') !== $orderStatusId) {
            self::check($order->setField('STATUS_ID', (string) $orderStatusId));
        }
        $saved = LoopGuard::run(static fn () => $order->save());
        if (!$saved->isSuccess()) {
            throw new ModuleError(ModuleError::SAVE_FAILED, 'Bitrix did not save the order: ' . implode('; ', $saved->getErrorMessages()));
        }
        $trackingNow = (string) $shipment->getField('TRACKING_NUMBER');

        return [
            'shipmentId' => $shipmentId,
            'statusId' => (string) $shipment->getField('STATUS_ID'),
            'trackingNumber' => $trackingNow !== '' ? $trackingNow : null,
        ];
    }

    /** @param array<int|string, string> $statuses Bitrix answers id => id */
    private static function exists(string $id, array $statuses): bool
    {
        return $id !== '' && (array_key_exists($id, $statuses) || in_array($id, $statuses, true));
    }

    /** @param \Bitrix\Main\Result $result */
    private static function check(object $result): void
    {
        if (!$result->isSuccess()) {
            throw new ModuleError(ModuleError::SAVE_FAILED, 'Bitrix refused the change: ' . implode('; ', $result->getErrorMessages()));
        }
    }
}
