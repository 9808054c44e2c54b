<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Mapper;

use OzonBridge\OzonRocket\Delivery\ProfileType;
use OzonBridge\OzonRocket\Delivery\ServiceConfig;
use OzonBridge\OzonRocket\Messages;
use OzonBridge\OzonRocket\Money;
use OzonBridge\OzonRocket\Order\OrderSnapshot;

/** An order's shipment → the body of POST /api/v1/shipments (ShipmentCreate). */
final class ShipmentRequestMapper
{
    private function __construct()
    {
    }

    /**
     * @return array<string, mixed>
     * @throws MappingException with what the manager has to fix in the order
     */
    public static function map(OrderSnapshot $snapshot, ServiceConfig $config, string $profileType): array
    {
        if ($snapshot->lines === []) {
            throw new MappingException(Messages::get('OZONROCKET_SHIPMENT_EMPTY'));
        }
        if ($snapshot->recipientName === '') {
            throw new MappingException(Messages::get('OZONROCKET_SHIPMENT_NO_NAME'));
        }
        if ($snapshot->phone === '') {
            throw new MappingException(Messages::get('OZONROCKET_SHIPMENT_NO_PHONE'));
        }

        $items = [];
        $seen = [];
        $declared = 0;
        foreach ($snapshot->lines as $line) {
            $quantity = (int) round($line->quantity);
            if ($quantity < 1 || abs($line->quantity - $quantity) > 1e-9) {
                throw new MappingException(Messages::get('OZONROCKET_SHIPMENT_FRACTIONAL', [
                    '#NAME#' => $line->name,
                    '#QUANTITY#' => $line->quantity,
                ]));
            }
            // Ozon takes each SKU once per order; two lines of one product stay apart.
            $sku = isset($seen[$line->sku]) ? mb_substr($line->sku, 0, 88) . '#' . $line->basketId : $line->sku;
            $seen[$sku] = true;
            $items[] = [
                'bitrix_basket_item_id' => $line->basketId,
                'sku' => $sku,
                'name' => $line->name !== '' ? $line->name : $sku,
                'quantity' => $quantity,
                'price' => Money::toFloat($line->priceKopecks),
                'declared_price' => Money::toFloat($line->priceKopecks),
            ];
            $declared += $line->priceKopecks * $quantity;
        }

        $body = [
            'shop_id' => $config->endpoint->shopId,
            'bitrix_delivery_id' => $config->deliveryId,
            'bitrix_order_id' => $snapshot->orderId,
            'bitrix_shipment_id' => $snapshot->shipmentId,
            'delivery_type' => $profileType,
            'recipient' => array_filter([
                'name' => mb_substr($snapshot->recipientName, 0, 200),
                'phone' => mb_substr($snapshot->phone, 0, 32),
                'email' => $snapshot->email !== '' ? mb_substr($snapshot->email, 0, 200) : null,
            ], static fn (?string $v): bool => $v !== null),
        ];
        if ($profileType === ProfileType::PICKUP_POINT) {
            if ($snapshot->pickupPointId === '') {
                throw new MappingException(Messages::get('OZONROCKET_SHIPMENT_NO_PICKUP_POINT'));
            }
            $body['pickup_point_id'] = mb_substr($snapshot->pickupPointId, 0, 64);
        }
        if ($snapshot->address->city !== '') {
            $body['address'] = $snapshot->address->toArray();
        } elseif ($profileType !== ProfileType::PICKUP_POINT) {
            throw new MappingException(Messages::get('OZONROCKET_SHIPMENT_NO_ADDRESS'));
        }
        $package = PackageEstimator::estimate($snapshot, $config->defaultPackage) ?? $config->defaultPackage;
        $body['packages'] = [$package->toArray()];
        $body['items'] = $items;
        $body['payment_method'] = $snapshot->paymentMethod;
        $body['paid_amount'] = Money::toFloat(max(0, $snapshot->paidKopecks));
        if ($snapshot->deliveryPriceKopecks !== null) {
            $body['delivery_price'] = Money::toFloat(max(0, $snapshot->deliveryPriceKopecks));
        }
        $body['declared_value'] = Money::toFloat($declared);

        return $body;
    }
}
