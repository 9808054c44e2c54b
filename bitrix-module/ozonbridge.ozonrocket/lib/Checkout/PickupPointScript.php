<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Checkout;

use Bitrix\Main\Page\Asset;
use Bitrix\Sale\Delivery\Services\Manager;
use OzonBridge\OzonRocket\Delivery\OzonRocketProfile;
use OzonBridge\OzonRocket\Delivery\ProfileType;
use OzonBridge\OzonRocket\Delivery\ServiceConfig;
use OzonBridge\OzonRocket\Messages;
use OzonBridge\OzonRocket\Module;
use OzonBridge\OzonRocket\Options;
use OzonBridge\OzonRocket\Order\LocationCityResolver;
use OzonBridge\OzonRocket\Services;

/**
 * Wires the bridge's pickup-point widget into sale.order.ajax: puts the widget address of every
 * pickup-point profile into the component's JS data (result.OZON_ROCKET) and adds checkout.js,
 * which opens the widget, writes the chosen point into the order property and recalculates.
 */
final class PickupPointScript
{
    private function __construct()
    {
    }

    /**
     * sale:OnSaleComponentOrderJsData (an old-style event: arguments by reference).
     *
     * @param array<string, mixed> $arResult
     * @param array<string, mixed> $arParams
     */
    public static function onSaleComponentOrderJsData(&$arResult, &$arParams): void
    {
        try {
            $config = self::config(self::pickupProfiles(), Services::options(), self::checkoutContext($arResult));
            if ($config['deliveries'] === []) {
                return;
            }
            $arResult['JS_DATA']['OZON_ROCKET'] = $config;
            if (class_exists(Asset::class)) {
                Asset::getInstance()->addJs(Module::JS_PATH);
            }
        } catch (\Throwable $e) {
            Services::logger()->warning('CHECKOUT_SCRIPT_FAILED', get_class($e) . ': ' . $e->getMessage());
        }
    }

    /**
     * @param array<int, ServiceConfig> $profiles pickup-point profile id => its parent's settings
     * @param array{city: string, weight: int} $context
     * @return array{propertyCode: string, deliveries: array<string, array{widgetUrl: string, origin: string}>, city: string, weight: int, messages: array<string, string>}
     */
    public static function config(array $profiles, Options $options, array $context): array
    {
        $deliveries = [];
        foreach ($profiles as $profileId => $config) {
            if (!$config->endpoint->isComplete()) {
                continue;
            }
            $parts = parse_url($config->endpoint->baseUrl);
            $origin = sprintf('%s://%s', $parts['scheme'] ?? 'https', $parts['host'] ?? '')
                . (isset($parts['port']) ? ':' . $parts['port'] : '');
            // The shop token never reaches the browser: the widget is public and knows the shop by id.
            $deliveries[(string) $profileId] = [
                'widgetUrl' => $config->endpoint->url('/widget/pickup-points') . '?shop_id=' . rawurlencode($config->endpoint->shopId),
                'origin' => $origin,
            ];
        }

        return [
            'propertyCode' => $options->pickupPropertyCode,
            'deliveries' => $deliveries,
            'city' => $context['city'],
            'weight' => $context['weight'],
            'messages' => [
                'choose' => Messages::get('OZONROCKET_JS_CHOOSE'),
                'change' => Messages::get('OZONROCKET_JS_CHANGE'),
                'chosen' => Messages::get('OZONROCKET_JS_CHOSEN'),
                'close' => Messages::get('OZONROCKET_JS_CLOSE'),
                'title' => Messages::get('OZONROCKET_JS_TITLE'),
            ],
        ];
    }

    /** @return array<int, ServiceConfig> */
    private static function pickupProfiles(): array
    {
        $active = Manager::getActiveList();
        $profiles = [];
        foreach ($active as $id => $service) {
            if (ltrim((string) ($service['CLASS_NAME'] ?? ''), '\\') !== OzonRocketProfile::class
                || ($service['CONFIG']['MAIN']['PROFILE_TYPE'] ?? '') !== ProfileType::PICKUP_POINT) {
                continue;
            }
            $parentId = (int) ($service['PARENT_ID'] ?? 0);
            $parent = $active[$parentId] ?? null;
            if (is_array($parent) && is_array($parent['CONFIG'] ?? null)) {
                $profiles[(int) $id] = ServiceConfig::fromConfig($parentId, $parent['CONFIG']);
            }
        }

        return $profiles;
    }

    /**
     * The city and weight for the widget's first view, from what the checkout knows now.
     *
     * @param array<string, mixed> $arResult
     * @return array{city: string, weight: int}
     */
    private static function checkoutContext(array $arResult): array
    {
        $cityCode = Services::options()->cityPropertyCode;
        $city = '';
        $properties = $arResult['JS_DATA']['ORDER_PROP']['properties'] ?? [];
        foreach (is_array($properties) ? $properties : [] as $property) {
            if (!is_array($property)) {
                continue;
            }
            $value = $property['VALUE'] ?? '';
            $value = trim((string) (is_array($value) ? reset($value) : $value));
            if ($value === '') {
                continue;
            }
            if ($cityCode !== '' && ($property['CODE'] ?? '') === $cityCode) {
                $city = $value;
                break;
            }
            if (($property['IS_LOCATION'] ?? 'N') === 'Y' && $city === '') {
                $city = LocationCityResolver::cityName($value);
            }
        }

        return ['city' => $city, 'weight' => (int) round((float) ($arResult['ORDER_WEIGHT'] ?? 0))];
    }
}
