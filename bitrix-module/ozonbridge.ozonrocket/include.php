<?php

declare(strict_types=1);

// Bitrix includes this file on Loader::includeModule('ozonbridge.ozonrocket'): PSR-4 for lib/.
spl_autoload_register(static function (string $class): void {
    $prefix = 'OzonBridge\\OzonRocket\\';
    if (strncmp($class, $prefix, strlen($prefix)) !== 0) {
        return;
    }
    $file = __DIR__ . '/lib/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
    if (is_file($file)) {
        require_once $file;
    }
});
