<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Delivery;

use Bitrix\Main\Error;
use Bitrix\Main\EventResult;
use Bitrix\Sale\Delivery\CalculationResult;
use Bitrix\Sale\Delivery\Services\Base;
use Bitrix\Sale\Delivery\Services\Manager;
use Bitrix\Sale\Shipment;
use OzonBridge\OzonRocket\Messages;
use OzonBridge\OzonRocket\Services;

/**
 * The Ozon Rocket delivery service: holds the settings (bridge, Ozon credentials, pricing,
 * default package) and mirrors them to the bridge on save. The checkout sees its three profiles
 * (OzonRocketProfile): courier, pickup point, Next Day.
 */
class OzonRocketHandler extends Base
{
    protected static $canHasProfiles = true;
    protected static $isCalculatePriceImmediately = true;
    protected static $whetherAdminExtraServicesShow = false;

    protected $handlerCode = 'OZONBRIDGE_OZONROCKET';

    /** sale:onSaleDeliveryHandlersClassNamesBuildList — makes both classes known to Bitrix. */
    public static function onSaleDeliveryHandlersClassNamesBuildList(): EventResult
    {
        class_exists(OzonRocketProfile::class); // loaded by our autoloader before Bitrix tries its own

        return new EventResult(EventResult::SUCCESS, [
            '\\' . self::class => self::documentRootPath(__FILE__),
            '\\' . OzonRocketProfile::class => self::documentRootPath(__DIR__ . '/OzonRocketProfile.php'),
        ], 'sale');
    }

    public static function getClassTitle(): string
    {
        return Messages::get('OZONROCKET_HANDLER_TITLE');
    }

    public static function getClassDescription(): string
    {
        return Messages::get('OZONROCKET_HANDLER_DESCRIPTION');
    }

    public static function canHasProfiles(): bool
    {
        return true;
    }

    /** @return list<string> */
    public static function getChildrenClassNames(): array
    {
        return ['\\' . OzonRocketProfile::class];
    }

    /** @return array<string, string> */
    public function getProfilesList(): array
    {
        return ProfileType::titles();
    }

    public function isCalculatePriceImmediately(): bool
    {
        return true;
    }

    public function isCompatible(Shipment $shipment): bool
    {
        return $this->serviceConfig()->problems() === [];
    }

    /** The settings as a typed object; the bridge knows this service by its Bitrix id. */
    public function serviceConfig(): ServiceConfig
    {
        return ServiceConfig::fromConfig((int) $this->id, is_array($this->config) ? $this->config : []);
    }

    /** @return array<string, string|bool> the last mirroring outcome, on the service's edit page */
    public function getAdminMessage(): array
    {
        return ConfigMirror::adminMessage((int) $this->id);
    }

    public static function onAfterAdd($serviceId, array $fields = []): bool
    {
        $serviceId = (int) $serviceId;
        if ($serviceId <= 0) {
            return false;
        }
        $profilesAdded = self::addProfiles($serviceId, $fields);
        self::mirrorSettings($serviceId, $fields);

        return $profilesAdded;
    }

    public static function onAfterUpdate($serviceId, array $fields = []): bool
    {
        self::mirrorSettings((int) $serviceId, $fields);

        return true; // a bridge that is down must not stop the admin from saving
    }

    public static function onAfterDelete($serviceId): bool
    {
        ConfigMirror::forgetService((int) $serviceId);

        return true;
    }

    protected function calculateConcrete(Shipment $shipment): CalculationResult
    {
        $result = new CalculationResult();
        $result->addError(new Error(Messages::get('OZONROCKET_CALCULATED_BY_PROFILES'), 'OZONROCKET_PROFILES'));

        return $result;
    }

    /** @return array<string, array<string, mixed>> */
    protected function getConfigStructure(): array
    {
        $m = static fn (string $code): string => Messages::get($code);
        $text = static fn (string $code, bool $required = true, string $default = ''): array => [
            'TYPE' => 'STRING', 'NAME' => $m($code), 'REQUIRED' => $required, 'DEFAULT' => $default, 'SIZE' => 60,
        ];
        $number = static fn (string $code, string $default = '', ?float $min = null): array => array_filter([
            'TYPE' => 'NUMBER', 'NAME' => $m($code), 'DEFAULT' => $default, 'MIN' => $min,
        ], static fn ($v): bool => $v !== null);

        return [
            'MAIN' => [
                'TITLE' => $m('OZONROCKET_CONFIG_MAIN'),
                'DESCRIPTION' => $m('OZONROCKET_CONFIG_MAIN_DESCRIPTION'),
                'ITEMS' => [
                    'BRIDGE_URL' => $text('OZONROCKET_CONFIG_BRIDGE_URL'),
                    'SHOP_ID' => $text('OZONROCKET_CONFIG_SHOP_ID'),
                    'SHOP_TOKEN' => $text('OZONROCKET_CONFIG_SHOP_TOKEN'),
                    'TIMEOUT' => $number('OZONROCKET_CONFIG_TIMEOUT', (string) ServiceConfig::DEFAULT_TIMEOUT, 1),
                    'OZON_API_KEY' => $text('OZONROCKET_CONFIG_OZON_API_KEY'),
                    'SELLER_ID' => $text('OZONROCKET_CONFIG_SELLER_ID'),
                    'DEFAULT_WAREHOUSE_ID' => $text('OZONROCKET_CONFIG_DEFAULT_WAREHOUSE_ID'),
                    'PARTIAL_ACCEPT' => ['TYPE' => 'Y/N', 'NAME' => $m('OZONROCKET_CONFIG_PARTIAL_ACCEPT'), 'DEFAULT' => 'Y'],
                ],
            ],
            'PACKAGE' => [
                'TITLE' => $m('OZONROCKET_CONFIG_PACKAGE'),
                'DESCRIPTION' => $m('OZONROCKET_CONFIG_PACKAGE_DESCRIPTION'),
                'ITEMS' => [
                    'WEIGHT' => $number('OZONROCKET_CONFIG_WEIGHT', '1000', 1),
                    'LENGTH' => $number('OZONROCKET_CONFIG_LENGTH', '200', 1),
                    'WIDTH' => $number('OZONROCKET_CONFIG_WIDTH', '150', 1),
                    'HEIGHT' => $number('OZONROCKET_CONFIG_HEIGHT', '100', 1),
                ],
            ],
            'PRICING' => [
                'TITLE' => $m('OZONROCKET_CONFIG_PRICING'),
                'DESCRIPTION' => $m('OZONROCKET_CONFIG_PRICING_DESCRIPTION'),
                'ITEMS' => [
                    'STRATEGY' => [
                        'TYPE' => 'ENUM',
                        'NAME' => $m('OZONROCKET_CONFIG_STRATEGY'),
                        'DEFAULT' => 'cheapest',
                        'OPTIONS' => [
                            'cheapest' => $m('OZONROCKET_STRATEGY_CHEAPEST'),
                            'fastest' => $m('OZONROCKET_STRATEGY_FASTEST'),
                            'fixed' => $m('OZONROCKET_STRATEGY_FIXED'),
                        ],
                    ],
                    'FIXED_DELIVERY_TYPE' => [
                        'TYPE' => 'ENUM',
                        'NAME' => $m('OZONROCKET_CONFIG_FIXED_DELIVERY_TYPE'),
                        'DEFAULT' => '',
                        'OPTIONS' => ['' => '—'] + ProfileType::titles(),
                    ],
                    'MARKUP_PERCENT' => $number('OZONROCKET_CONFIG_MARKUP_PERCENT', '0'),
                    'MARKUP_FIXED' => $number('OZONROCKET_CONFIG_MARKUP_FIXED', '0'),
                    'FREE_DELIVERY_FROM' => $number('OZONROCKET_CONFIG_FREE_DELIVERY_FROM', '', 0),
                    'ROUNDING' => [
                        'TYPE' => 'ENUM',
                        'NAME' => $m('OZONROCKET_CONFIG_ROUNDING'),
                        'DEFAULT' => 'none',
                        'OPTIONS' => [
                            'none' => $m('OZONROCKET_ROUNDING_NONE'),
                            'ceil_1' => $m('OZONROCKET_ROUNDING_CEIL_1'),
                            'ceil_10' => $m('OZONROCKET_ROUNDING_CEIL_10'),
                            'ceil_50' => $m('OZONROCKET_ROUNDING_CEIL_50'),
                        ],
                    ],
                    'FALLBACK_PRICE' => $number('OZONROCKET_CONFIG_FALLBACK_PRICE', '', 0),
                ],
            ],
        ];
    }

    /** @param array<string, mixed> $fields */
    private static function addProfiles(int $serviceId, array $fields): bool
    {
        $ok = true;
        $sort = 100;
        foreach (ProfileType::ALL as $type) {
            $result = Manager::add([
                'CODE' => '',
                'PARENT_ID' => $serviceId,
                'NAME' => ProfileType::title($type),
                'ACTIVE' => (string) ($fields['ACTIVE'] ?? 'Y'),
                'SORT' => $sort,
                'DESCRIPTION' => '',
                'CLASS_NAME' => '\\' . OzonRocketProfile::class,
                'CURRENCY' => (string) ($fields['CURRENCY'] ?? 'RUB'),
                'CONFIG' => ['MAIN' => ['PROFILE_TYPE' => $type]],
            ]);
            $ok = $ok && $result->isSuccess();
            $sort += 10;
        }

        return $ok;
    }

    /** @param array<string, mixed> $fields */
    private static function mirrorSettings(int $serviceId, array $fields): void
    {
        if ($serviceId <= 0) {
            return;
        }
        try {
            $config = is_array($fields['CONFIG'] ?? null) ? $fields['CONFIG'] : self::storedConfig($serviceId);
            (new ConfigMirror(Services::transport(), Services::logger()))
                ->mirror(ServiceConfig::fromConfig($serviceId, $config));
        } catch (\Throwable $e) {
            Services::logger()->warning('SETTINGS_MIRROR_FAILED', get_class($e) . ': ' . $e->getMessage(), (string) $serviceId);
        }
    }

    /** @return array<string, mixed> */
    private static function storedConfig(int $serviceId): array
    {
        $row = Manager::getById($serviceId);

        return is_array($row) && is_array($row['CONFIG'] ?? null) ? $row['CONFIG'] : [];
    }

    /** Bitrix requires class files relative to the document root for handlers from this event. */
    private static function documentRootPath(string $file): string
    {
        $root = rtrim(str_replace('\\', '/', (string) ($_SERVER['DOCUMENT_ROOT'] ?? '')), '/');
        $file = str_replace('\\', '/', $file);

        return $root !== '' && str_starts_with($file, $root . '/') ? substr($file, strlen($root)) : $file;
    }
}
