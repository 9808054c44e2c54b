<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Rest;

/** An error of the module's REST methods, answered as {"error": code, "error_description"}. */
final class ModuleError extends \RuntimeException
{
    public const ORDER_NOT_FOUND = 'OZONROCKET_ORDER_NOT_FOUND';
    public const BAD_LINES = 'OZONROCKET_BAD_LINES';
    public const ORDER_LOCKED = 'OZONROCKET_ORDER_LOCKED';
    /** Not in the contract: a malformed call outside `lines` (the bridge's emulator answers the same). */
    public const BAD_REQUEST = 'OZONROCKET_BAD_REQUEST';
    /** Not in the contract: Bitrix refused to save the change; nothing was changed. */
    public const SAVE_FAILED = 'OZONROCKET_SAVE_FAILED';

    public function __construct(public readonly string $errorCode, string $description)
    {
        parent::__construct($description);
    }
}
