<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Tests\Unit;

use Bitrix\Main\EventResult;
use Bitrix\Sale\Delivery\Services\Manager;
use OzonBridge\OzonRocket\Delivery\OzonRocketHandler;
use OzonBridge\OzonRocket\Delivery\OzonRocketProfile;
use OzonBridge\OzonRocket\Tests\FakeTransport;
use OzonBridge\OzonRocket\Tests\ModuleTestCase;
use OzonBridge\OzonRocket\Tests\Shop;

final class SettingsMirrorTest extends ModuleTestCase
{
    public function testAddingTheServiceCreatesItsThreeProfilesAndMirrorsItsSettings(): void
    {
        $shop = Shop::install();

        self::assertSame(['courier', 'pickup_point', 'next_day'], array_keys($shop->profileIds));
        foreach ($shop->profileIds as $type => $id) {
            $profile = Manager::getObjectById($id);
            self::assertInstanceOf(OzonRocketProfile::class, $profile);
            self::assertSame($type, $profile->profileType());
            self::assertSame($shop->handlerId, (int) $profile->getParentId());
        }
        $puts = $this->bridge->to('PUT', '/api/v1/shops/');
        self::assertCount(1, $puts);
        self::assertSame('/api/v1/shops/' . Shop::SHOP_ID . '/delivery-services/' . $shop->handlerId, $puts[0]['path']);
        self::assertSame(['params', 'pricing', 'default_package'], array_keys($puts[0]['body']));
        self::assertSame('sandbox-key-a1b2', $puts[0]['body']['params']['OZON_API_KEY']);
    }

    public function testSavingTheServiceAgainMirrorsTheNewSettings(): void
    {
        $shop = Shop::install();

        Manager::update($shop->handlerId, ['CONFIG' => Shop::config(['PRICING' => ['MARKUP_PERCENT' => '25', 'ROUNDING' => 'ceil_50']])]);

        $last = $this->bridge->to('PUT', '/api/v1/shops/')[1]['body'];
        self::assertSame(25.0, $last['pricing']['markup_percent']);
        self::assertSame('ceil_50', $last['pricing']['rounding']);
    }

    public function testAnUpdateWithoutConfigMirrorsTheStoredSettings(): void
    {
        $shop = Shop::install();

        Manager::update($shop->handlerId, ['ACTIVE' => 'N']);

        self::assertCount(2, $this->bridge->to('PUT', '/api/v1/shops/'));
    }

    public function testARefusalIsShownOnTheServicePageAndDoesNotStopTheSave(): void
    {
        $this->bridgeAnswers(static fn () => FakeTransport::problem(422, 'The request has invalid fields', [
            ['loc' => ['body', 'params', 'SELLER_ID'], 'msg' => 'String should have at least 1 character'],
        ]));
        $shop = Shop::install();

        $handler = Manager::getObjectById($shop->handlerId);
        self::assertInstanceOf(OzonRocketHandler::class, $handler);
        $message = $handler->getAdminMessage();
        self::assertSame('ERROR', $message['TYPE']);
        self::assertStringContainsString('body.params.SELLER_ID', (string) $message['DETAILS']);
        self::assertTrue(OzonRocketHandler::onAfterUpdate($shop->handlerId, []));
    }

    public function testIncompleteSettingsAreNotSentAndSaySo(): void
    {
        $shop = Shop::install(['MAIN' => ['OZON_API_KEY' => '']]);

        self::assertSame([], $this->bridge->to('PUT', '/api/v1/shops/'));
        $message = Manager::getObjectById($shop->handlerId)?->getAdminMessage();
        self::assertSame('ERROR', $message['TYPE'] ?? null);
        self::assertStringContainsString('OZON_API_KEY', (string) $message['DETAILS']);
    }

    public function testASuccessfulMirrorSaysOk(): void
    {
        $shop = Shop::install();

        self::assertSame('OK', Manager::getObjectById($shop->handlerId)?->getAdminMessage()['TYPE'] ?? null);
    }

    public function testTheHandlerRegistersItselfAndItsProfileWithBitrix(): void
    {
        $_SERVER['DOCUMENT_ROOT'] = dirname(__DIR__, 2);
        $result = OzonRocketHandler::onSaleDeliveryHandlersClassNamesBuildList();

        self::assertSame(EventResult::SUCCESS, $result->getType());
        self::assertSame([
            '\\' . OzonRocketHandler::class => '/ozonbridge.ozonrocket/lib/Delivery/OzonRocketHandler.php',
            '\\' . OzonRocketProfile::class => '/ozonbridge.ozonrocket/lib/Delivery/OzonRocketProfile.php',
        ], $result->getParameters());
    }

    public function testTheSettingsFormHasEveryFieldTheBridgeNeeds(): void
    {
        $handler = new OzonRocketHandler(['ID' => 1, 'CONFIG' => []]);
        $structure = $handler->getConfig();

        self::assertSame(
            ['BRIDGE_URL', 'SHOP_ID', 'SHOP_TOKEN', 'TIMEOUT', 'OZON_API_KEY', 'SELLER_ID', 'DEFAULT_WAREHOUSE_ID', 'PARTIAL_ACCEPT'],
            array_keys($structure['MAIN']['ITEMS']),
        );
        self::assertSame(['WEIGHT', 'LENGTH', 'WIDTH', 'HEIGHT'], array_keys($structure['PACKAGE']['ITEMS']));
        self::assertSame(
            ['STRATEGY', 'FIXED_DELIVERY_TYPE', 'MARKUP_PERCENT', 'MARKUP_FIXED', 'FREE_DELIVERY_FROM', 'ROUNDING', 'FALLBACK_PRICE'],
            array_keys($structure['PRICING']['ITEMS']),
        );
        self::assertSame('Адрес моста (https://...)', $structure['MAIN']['ITEMS']['BRIDGE_URL']['NAME']);
    }
}
