<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Tests\Unit;

use Bitrix\Main\Application;
use Bitrix\Main\Config\Option;
use Bitrix\Main\DB\Connection;
use Bitrix\Main\EventManager;
use Bitrix\Main\ModuleManager;
use Bitrix\Sale\Delivery\Services\Manager;
use OzonBridge\OzonRocket\Module;
use OzonBridge\OzonRocket\Tests\ModuleTestCase;
use OzonBridge\OzonRocket\Tests\Shop;

/** install/index.php: what DoInstall registers, DoUninstall removes again. */
final class InstallTest extends ModuleTestCase
{
    protected function setUp(): void
    {
        parent::setUp();
        EventManager::reset();
        Application::$connection = new Connection();
        Application::getInstance()->request = [];
        ModuleManager::$installed = ['main' => true, 'sale' => true, 'rest' => true];
        \CSaleOrderProps::$rows = [];
        $GLOBALS['TEST_FILE_OPERATIONS'] = [];
    }

    public function testInstallRegistersEverythingTheModuleNeeds(): void
    {
        self::assertTrue((new \ozonbridge_ozonrocket())->DoInstall());

        self::assertTrue(ModuleManager::isModuleInstalled(Module::ID));
        $handlers = array_map(
            static fn (array $h): string => sprintf('%s:%s -> %s::%s', $h['from'], $h['event'], $h['class'], $h['method']),
            EventManager::getInstance()->registered,
        );
        self::assertSame([
            'sale:onSaleDeliveryHandlersClassNamesBuildList -> OzonBridge\OzonRocket\Delivery\OzonRocketHandler::onSaleDeliveryHandlersClassNamesBuildList',
            'sale:OnSaleStatusOrderChange -> OzonBridge\OzonRocket\Event\OrderEventHandler::onSaleStatusOrderChange',
            'sale:OnShipmentAllowDelivery -> OzonBridge\OzonRocket\Event\OrderEventHandler::onShipmentAllowDelivery',
            'sale:OnSaleOrderSaved -> OzonBridge\OzonRocket\Event\OrderEventHandler::onSaleOrderSaved',
            'sale:OnSaleComponentOrderJsData -> OzonBridge\OzonRocket\Checkout\PickupPointScript::onSaleComponentOrderJsData',
            'rest:OnRestServiceBuildDescription -> OzonBridge\OzonRocket\Rest\RestService::onRestServiceBuildDescription',
        ], $handlers);
        foreach (EventManager::getInstance()->registered as $handler) {
            self::assertTrue(method_exists($handler['class'], $handler['method']), $handler['class'] . '::' . $handler['method']);
            self::assertSame(Module::ID, $handler['module']);
        }
        self::assertTrue(Application::getConnection()->isTableExists(Module::OPERATION_TABLE));
        self::assertSame(['OZON_PVZ', 'OZON_PVZ'], array_column(\CSaleOrderProps::$rows, 'CODE'), 'one per payer type');
        self::assertSame([1, 2], array_column(\CSaleOrderProps::$rows, 'PERSON_TYPE_ID'));
        self::assertSame('copy', $GLOBALS['TEST_FILE_OPERATIONS'][0][0]);
        self::assertStringEndsWith('/bitrix/js', $GLOBALS['TEST_FILE_OPERATIONS'][0][1]);
    }

    public function testAShopsOwnPickupPropertyIsKeptAndNotDuplicated(): void
    {
        \CSaleOrderProps::$rows[7] = ['ID' => 7, 'PERSON_TYPE_ID' => 1, 'CODE' => 'OZON_PVZ'];

        (new \ozonbridge_ozonrocket())->DoInstall();
        Application::getInstance()->request = ['step' => '2', 'savedata' => 'N'];
        (new \ozonbridge_ozonrocket())->DoUninstall();

        self::assertSame([7], array_keys(\CSaleOrderProps::$rows));
    }

    public function testUninstallAsksFirstThenRemovesWhatInstallAdded(): void
    {
        $module = new \ozonbridge_ozonrocket();
        $module->DoInstall();
        $shop = Shop::install();

        self::assertFalse($module->DoUninstall());
        self::assertStringEndsWith('install/unstep1.php', (string) $GLOBALS['APPLICATION']->includedAdminFile);
        self::assertTrue(ModuleManager::isModuleInstalled(Module::ID), 'nothing removed before the confirmation');

        Application::getInstance()->request = ['step' => '2', 'savedata' => 'N'];
        self::assertTrue($module->DoUninstall());

        self::assertFalse(ModuleManager::isModuleInstalled(Module::ID));
        self::assertSame([], EventManager::getInstance()->registered);
        self::assertFalse(Application::getConnection()->isTableExists(Module::OPERATION_TABLE));
        self::assertSame([], \CSaleOrderProps::$rows);
        self::assertSame(['delete', '/bitrix/js/' . Module::ID], end($GLOBALS['TEST_FILE_OPERATIONS']));
        self::assertSame('N', Manager::$services[$shop->handlerId]['ACTIVE'], 'delivery services switched off, settings kept');
        self::assertArrayNotHasKey(Module::ID, Option::$values);
    }

    public function testKeepingDataKeepsTheTableAndTheProperty(): void
    {
        $module = new \ozonbridge_ozonrocket();
        $module->DoInstall();
        Application::getInstance()->request = ['step' => '2', 'savedata' => 'Y'];

        $module->DoUninstall();

        self::assertSame([], EventManager::getInstance()->registered);
        self::assertTrue(Application::getConnection()->isTableExists(Module::OPERATION_TABLE));
        self::assertCount(2, \CSaleOrderProps::$rows);
    }

    public function testAReinstallAfterKeepingDataStillRemovesTheModulesPropertiesLater(): void
    {
        \CSaleOrderProps::$rows[7] = ['ID' => 7, 'PERSON_TYPE_ID' => 1, 'CODE' => 'OZON_PVZ'];
        $module = new \ozonbridge_ozonrocket();
        $module->DoInstall();
        Application::getInstance()->request = ['step' => '2', 'savedata' => 'Y'];
        $module->DoUninstall();

        $module->DoInstall();
        self::assertCount(2, \CSaleOrderProps::$rows, 'the kept property is reused, not duplicated');
        Application::getInstance()->request = ['step' => '2', 'savedata' => 'N'];
        $module->DoUninstall();

        self::assertSame([7], array_keys(\CSaleOrderProps::$rows), 'the property the first install created is gone, the shop\'s own stays');
    }

    public function testAShopWithoutTheSaleModuleIsRefused(): void
    {
        ModuleManager::$installed = ['main' => true];

        self::assertFalse((new \ozonbridge_ozonrocket())->DoInstall());
        self::assertSame('Модулю нужен модуль «Интернет-магазин» (sale).', $GLOBALS['APPLICATION']->exception);
        self::assertSame([], EventManager::getInstance()->registered);
    }
}
