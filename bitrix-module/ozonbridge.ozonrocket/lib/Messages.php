<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket;

use Bitrix\Main\Localization\Loc;

/** Every text of lib/ in one language file per language: lang/<lang>/lib/Messages.php. */
final class Messages
{
    private static bool $loaded = false;

    private function __construct()
    {
    }

    /** @param array<string, string|int|float> $replace '#NAME#' => value */
    public static function get(string $code, array $replace = []): string
    {
        if (!self::$loaded) {
            Loc::loadMessages(__FILE__);
            self::$loaded = true;
        }
        $pairs = [];
        foreach ($replace as $key => $value) {
            $pairs[$key] = (string) $value;
        }
        $text = Loc::getMessage($code, $pairs);

        return is_string($text) && $text !== '' ? $text : strtr($code, $pairs);
    }
}
