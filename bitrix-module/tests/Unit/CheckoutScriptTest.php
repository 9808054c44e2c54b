<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Tests\Unit;

use Bitrix\Main\Page\Asset;
use OzonBridge\OzonRocket\Checkout\PickupPointScript;
use OzonBridge\OzonRocket\Module;
use OzonBridge\OzonRocket\Tests\ModuleTestCase;
use OzonBridge\OzonRocket\Tests\Shop;

/** sale.order.ajax gets the widget of each pickup-point profile, and checkout.js. */
final class CheckoutScriptTest extends ModuleTestCase
{
    private const SCRIPT = __DIR__ . '/../../ozonbridge.ozonrocket/install/js/ozonbridge.ozonrocket/checkout.js';

    public function testThePickupProfilesWidgetGoesIntoTheCheckoutDataWithoutTheToken(): void
    {
        $shop = Shop::install();
        $arResult = ['ORDER_WEIGHT' => 2000.0, 'JS_DATA' => ['ORDER_PROP' => ['properties' => [
            ['ID' => 20, 'CODE' => 'CITY', 'VALUE' => ['Казань']],
            ['ID' => 21, 'CODE' => 'OZON_PVZ', 'VALUE' => ['']],
        ]]]];
        $arParams = [];

        PickupPointScript::onSaleComponentOrderJsData($arResult, $arParams);

        $pickupId = (string) $shop->profileIds['pickup_point'];
        self::assertSame([
            'propertyCode' => 'OZON_PVZ',
            'deliveries' => [$pickupId => [
                'widgetUrl' => Shop::BRIDGE . '/widget/pickup-points?shop_id=' . Shop::SHOP_ID,
                'origin' => Shop::BRIDGE,
            ]],
            'city' => 'Казань',
            'weight' => 2000,
        ], array_diff_key($arResult['JS_DATA']['OZON_ROCKET'], ['messages' => true]));
        self::assertSame('Выбрать пункт выдачи', $arResult['JS_DATA']['OZON_ROCKET']['messages']['choose']);
        self::assertStringNotContainsString(Shop::TOKEN, (string) json_encode($arResult));
        self::assertSame([Module::JS_PATH], Asset::getInstance()->js);
    }

    public function testAShopWithoutOzonRocketGetsNoScript(): void
    {
        $arResult = ['JS_DATA' => []];
        $arParams = [];

        PickupPointScript::onSaleComponentOrderJsData($arResult, $arParams);

        self::assertArrayNotHasKey('OZON_ROCKET', $arResult['JS_DATA']);
        self::assertSame([], Asset::getInstance()->js);
    }

    public function testTheScriptListensForTheWidgetsMessage(): void
    {
        $script = (string) file_get_contents(self::SCRIPT);

        self::assertStringContainsString("'ozon-rocket:pickup-point-selected'", $script);
        self::assertStringContainsString('window.OzonRocketWidget.onSelect', $script);
        self::assertStringContainsString('allowedOrigin(event.origin)', $script);
        self::assertStringContainsString('sendRequest()', $script);
        // The widget posts to the origin it is given (GET /widget/pickup-points?origin=...).
        self::assertStringContainsString("'&origin=' + encodeURIComponent(window.location.origin)", $script);
    }

    /** tests/js/checkout.test.js: the script in a minimal DOM, from the button to the recalculation. */
    public function testTheScriptWritesTheWidgetsChoiceIntoTheOrderAndRecalculates(): void
    {
        $node = trim((string) shell_exec('command -v node 2>/dev/null'));
        if ($node === '') {
            self::markTestSkipped('node is not installed: checkout.js is not exercised');
        }
        exec(escapeshellarg($node) . ' ' . escapeshellarg(__DIR__ . '/../js/checkout.test.js') . ' 2>&1', $output, $status);

        self::assertSame(0, $status, implode("\n", $output));
        self::assertSame(['checkout.js: ok'], $output);
    }
}
