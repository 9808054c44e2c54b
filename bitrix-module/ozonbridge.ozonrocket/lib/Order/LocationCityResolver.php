<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Order;

use Bitrix\Sale\Location\LocationTable;

/** A Bitrix location code → the name of its city (or village), in the site's language. */
final class LocationCityResolver
{
    private const CITY_TYPES = ['CITY', 'VILLAGE'];

    private function __construct()
    {
    }

    public static function cityName(string $locationCode): string
    {
        if ($locationCode === '' || !class_exists(LocationTable::class)) {
            return '';
        }
        $language = defined('LANGUAGE_ID') ? (string) constant('LANGUAGE_ID') : 'ru';
        $rows = LocationTable::getList([
            'filter' => [
                '=CODE' => $locationCode,
                '=PARENTS.NAME.LANGUAGE_ID' => $language,
                '=PARENTS.TYPE.NAME.LANGUAGE_ID' => $language,
            ],
            'select' => ['CITY_NAME' => 'PARENTS.NAME.NAME', 'CITY_TYPE' => 'PARENTS.TYPE.CODE'],
            'order' => ['PARENTS.DEPTH_LEVEL' => 'asc'],
        ]);
        $city = '';
        while ($row = $rows->fetch()) {
            if (in_array($row['CITY_TYPE'], self::CITY_TYPES, true)) {
                $city = (string) $row['CITY_NAME']; // the deepest city wins (a town inside a region)
            }
        }

        return $city;
    }
}
