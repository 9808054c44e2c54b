<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket;

/** Problems an admin should be able to find later (Bitrix's event log in production). */
interface Logger
{
    /** @param string $event a short code, e.g. SHIPMENT_CREATE_FAILED */
    public function warning(string $event, string $message, string $itemId = ''): void;
}
