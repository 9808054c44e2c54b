<?php

declare(strict_types=1);

// Bitrix reads these defaults for Option::get('ozonbridge.ozonrocket', ...).
$ozonbridge_ozonrocket_default_option = [
    'shipment_trigger' => 'allow_delivery',
    'shipment_trigger_status' => '',
    'cod_pay_systems' => '',
    'pickup_property_code' => 'OZON_PVZ',
    'city_property_code' => 'CITY',
    'refund_to_inner_account' => 'Y',
    'manual_refund_status' => '',
    'partial_delivery_price' => 'bridge',
];
