<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Mapper;

use OzonBridge\OzonRocket\Delivery\ProfileType;
use OzonBridge\OzonRocket\Delivery\ServiceConfig;
use OzonBridge\OzonRocket\Messages;
use OzonBridge\OzonRocket\Money;
use OzonBridge\OzonRocket\Order\OrderSnapshot;

/** A checkout shipment → the body of POST /api/v1/calculate. */
final class CalculateRequestMapper
{
    private function __construct()
    {
    }

    /**
     * @return array<string, mixed>
     * @throws MappingException when the buyer has not given what the calculation needs yet
     */
    public static function map(OrderSnapshot $snapshot, ServiceConfig $config, string $profileType): array
    {
        $body = [
            'shop_id' => $config->endpoint->shopId,
            'bitrix_delivery_id' => $config->deliveryId,
            'delivery_type' => ProfileType::destination($profileType),
        ];
        if ($profileType === ProfileType::PICKUP_POINT) {
            if ($snapshot->pickupPointId === '') {
                throw new MappingException(Messages::get('OZONROCKET_CHOOSE_PICKUP_POINT'));
            }
            $body['pickup_point_id'] = mb_substr($snapshot->pickupPointId, 0, 64);
        } else {
            if ($snapshot->address->city === '') {
                throw new MappingException(Messages::get('OZONROCKET_NEED_CITY'));
            }
            $body['address'] = $snapshot->address->toArray();
        }
        $package = PackageEstimator::estimate($snapshot, $config->defaultPackage);
        if ($package !== null) {
            $body['packages'] = [$package->toArray()];
        }
        $body['declared_value'] = Money::toFloat(max(0, $snapshot->declaredKopecks()));
        $body['payment_method'] = $snapshot->paymentMethod;

        return $body;
    }
}
