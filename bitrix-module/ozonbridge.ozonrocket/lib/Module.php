<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket;

/** The module's fixed names: its id and what it registers in Bitrix. */
final class Module
{
    public const ID = 'ozonbridge.ozonrocket';
    public const VERSION = '1.0.0';

    /** Order property holding the chosen pickup point (the checkout script writes it). */
    public const DEFAULT_PICKUP_PROPERTY_CODE = 'OZON_PVZ';

    /** Bitrix's own field for a carrier's document number: here, the Ozon order id. */
    public const SHIPMENT_OZON_ORDER_FIELD = 'DELIVERY_DOC_NUM';

    public const OPERATION_TABLE = 'b_ozonrocket_operation';

    public const JS_PATH = '/bitrix/js/ozonbridge.ozonrocket/checkout.js';

    /** Prefix of every text the module writes into orders and shipments, so managers can spot it. */
    public const TEXT_PREFIX = 'Ozon Rocket';

    private function __construct()
    {
    }
}
