<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket;

use OzonBridge\OzonRocket\Bridge\BitrixHttpTransport;
use OzonBridge\OzonRocket\Bridge\CurlTransport;
use OzonBridge\OzonRocket\Bridge\Transport;
use OzonBridge\OzonRocket\Storage\DbOperationStore;
use OzonBridge\OzonRocket\Storage\OperationStore;

/**
 * Where Bitrix's static entry points (events, REST callbacks, the delivery handler) get their
 * collaborators. Production builds them lazily; tests swap them with `override()`.
 */
final class Services
{
    private static ?Transport $transport = null;
    private static ?OperationStore $operations = null;
    private static ?Options $options = null;
    private static ?Logger $logger = null;

    private function __construct()
    {
    }

    public static function transport(): Transport
    {
        return self::$transport ??= BitrixHttpTransport::isAvailable()
            ? new BitrixHttpTransport()
            : new CurlTransport();
    }

    public static function operations(): OperationStore
    {
        return self::$operations ??= new DbOperationStore();
    }

    public static function options(): Options
    {
        return self::$options ??= Options::load();
    }

    public static function logger(): Logger
    {
        return self::$logger ??= new EventLogLogger();
    }

    public static function override(
        ?Transport $transport = null,
        ?OperationStore $operations = null,
        ?Options $options = null,
        ?Logger $logger = null,
    ): void {
        self::$transport = $transport ?? self::$transport;
        self::$operations = $operations ?? self::$operations;
        self::$options = $options ?? self::$options;
        self::$logger = $logger ?? self::$logger;
    }

    /** Forget everything built so far (tests; a long-running CLI script after option changes). */
    public static function reset(): void
    {
        self::$transport = null;
        self::$operations = null;
        self::$options = null;
        self::$logger = null;
    }
}
