<?php

declare(strict_types=1);

// The Bitrix stand-ins, then the module's own autoloader (include.php), as Bitrix would load it.
error_reporting(E_ALL);
if (!defined('LANGUAGE_ID')) {
    define('LANGUAGE_ID', 'ru');
}

require_once __DIR__ . '/stubs/Main.php';
require_once __DIR__ . '/stubs/Sale.php';
require_once __DIR__ . '/stubs/Platform.php';
require_once __DIR__ . '/../ozonbridge.ozonrocket/include.php';
require_once __DIR__ . '/../ozonbridge.ozonrocket/install/index.php';

spl_autoload_register(static function (string $class): void {
    $prefix = 'OzonBridge\\OzonRocket\\Tests\\';
    if (strncmp($class, $prefix, strlen($prefix)) === 0) {
        $file = __DIR__ . '/Support/' . str_replace('\\', '/', substr($class, strlen($prefix))) . '.php';
        if (is_file($file)) {
            require_once $file;
        }
    }
});
