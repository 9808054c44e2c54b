<?php

declare(strict_types=1);

use Bitrix\Main\Application;
use Bitrix\Main\Config\Option;
use Bitrix\Main\EventManager;
use Bitrix\Main\Loader;
use Bitrix\Main\Localization\Loc;
use Bitrix\Main\ModuleManager;

Loc::loadMessages(__FILE__);

/**
 * Install: the module, its table, its event handlers (the delivery handler, order events, the
 * checkout script, the REST methods), the checkout script file and the pickup-point order
 * property. Uninstall removes them again (the table and the property unless "keep data").
 */
class ozonbridge_ozonrocket extends CModule
{
    public $MODULE_ID = 'ozonbridge.ozonrocket';
    public $MODULE_VERSION;
    public $MODULE_VERSION_DATE;
    public $MODULE_NAME;
    public $MODULE_DESCRIPTION;
    public $PARTNER_NAME;
    public $PARTNER_URI;
    public $MODULE_GROUP_RIGHTS = 'N';

    private const CREATED_PROPERTIES_OPTION = 'created_properties';

    public function __construct()
    {
        $arModuleVersion = [];
        include __DIR__ . '/version.php';
        $this->MODULE_VERSION = $arModuleVersion['VERSION'];
        $this->MODULE_VERSION_DATE = $arModuleVersion['VERSION_DATE'];
        $this->MODULE_NAME = (string) Loc::getMessage('OZONROCKET_MODULE_NAME');
        $this->MODULE_DESCRIPTION = (string) Loc::getMessage('OZONROCKET_MODULE_DESCRIPTION');
        $this->PARTNER_NAME = (string) Loc::getMessage('OZONROCKET_PARTNER_NAME');
        $this->PARTNER_URI = '';
    }

    /**
     * Every handler the module registers: [from module, event, class, method, old-style].
     *
     * @return list<array{0: string, 1: string, 2: string, 3: string, 4: bool}>
     */
    public static function eventHandlers(): array
    {
        return [
            ['sale', 'onSaleDeliveryHandlersClassNamesBuildList', 'OzonBridge\\OzonRocket\\Delivery\\OzonRocketHandler', 'onSaleDeliveryHandlersClassNamesBuildList', false],
            ['sale', 'OnSaleStatusOrderChange', 'OzonBridge\\OzonRocket\\Event\\OrderEventHandler', 'onSaleStatusOrderChange', false],
            ['sale', 'OnShipmentAllowDelivery', 'OzonBridge\\OzonRocket\\Event\\OrderEventHandler', 'onShipmentAllowDelivery', false],
            ['sale', 'OnSaleOrderSaved', 'OzonBridge\\OzonRocket\\Event\\OrderEventHandler', 'onSaleOrderSaved', false],
            ['sale', 'OnSaleComponentOrderJsData', 'OzonBridge\\OzonRocket\\Checkout\\PickupPointScript', 'onSaleComponentOrderJsData', true],
            ['rest', 'OnRestServiceBuildDescription', 'OzonBridge\\OzonRocket\\Rest\\RestService', 'onRestServiceBuildDescription', false],
        ];
    }

    public function DoInstall()
    {
        global $APPLICATION;
        if (PHP_VERSION_ID < 80100) {
            $APPLICATION->ThrowException(Loc::getMessage('OZONROCKET_INSTALL_PHP'));

            return false;
        }
        if (!ModuleManager::isModuleInstalled('sale')) {
            $APPLICATION->ThrowException(Loc::getMessage('OZONROCKET_INSTALL_NEEDS_SALE'));

            return false;
        }
        ModuleManager::registerModule($this->MODULE_ID);
        Loader::includeModule($this->MODULE_ID);
        $this->InstallDB();
        $this->InstallEvents();
        $this->InstallFiles();
        $this->installOrderProperty();

        return true;
    }

    public function DoUninstall()
    {
        global $APPLICATION;
        $request = Application::getInstance()->getContext()->getRequest();
        if ((int) $request->get('step') < 2) {
            $APPLICATION->IncludeAdminFile(Loc::getMessage('OZONROCKET_UNINSTALL_TITLE'), __DIR__ . '/unstep1.php');

            return false;
        }
        Loader::includeModule($this->MODULE_ID);
        $keepData = $request->get('savedata') === 'Y';
        $this->UnInstallEvents();
        $this->UnInstallFiles();
        $this->deactivateDeliveryServices();
        if (!$keepData) {
            $this->uninstallOrderProperty();
            $this->UnInstallDB();
            Option::delete($this->MODULE_ID);
        }
        ModuleManager::unRegisterModule($this->MODULE_ID);

        return true;
    }

    public function InstallDB()
    {
        \OzonBridge\OzonRocket\Storage\DbOperationStore::createTable();

        return true;
    }

    public function UnInstallDB()
    {
        \OzonBridge\OzonRocket\Storage\DbOperationStore::dropTable();

        return true;
    }

    public function InstallEvents()
    {
        $events = EventManager::getInstance();
        foreach (self::eventHandlers() as [$fromModule, $event, $class, $method, $oldStyle]) {
            if ($oldStyle) {
                $events->registerEventHandlerCompatible($fromModule, $event, $this->MODULE_ID, $class, $method);
            } else {
                $events->registerEventHandler($fromModule, $event, $this->MODULE_ID, $class, $method);
            }
        }

        return true;
    }

    public function UnInstallEvents()
    {
        $events = EventManager::getInstance();
        foreach (self::eventHandlers() as [$fromModule, $event, $class, $method]) {
            $events->unRegisterEventHandler($fromModule, $event, $this->MODULE_ID, $class, $method);
        }

        return true;
    }

    public function InstallFiles()
    {
        CopyDirFiles(__DIR__ . '/js', Application::getDocumentRoot() . '/bitrix/js', true, true);

        return true;
    }

    public function UnInstallFiles()
    {
        DeleteDirFilesEx('/bitrix/js/' . $this->MODULE_ID);

        return true;
    }

    /** The text property the checkout script fills, one per payer type that lacks it. */
    private function installOrderProperty(): void
    {
        if (!Loader::includeModule('sale')) {
            return;
        }
        $code = \OzonBridge\OzonRocket\Module::DEFAULT_PICKUP_PROPERTY_CODE;
        // An earlier install's properties, kept by "keep data", stay ours to remove later.
        $created = $this->createdProperties();
        $personTypes = \CSalePersonType::GetList(['SORT' => 'ASC'], []);
        while ($personType = $personTypes->Fetch()) {
            $personTypeId = (int) $personType['ID'];
            if (\CSaleOrderProps::GetList([], ['PERSON_TYPE_ID' => $personTypeId, 'CODE' => $code])->Fetch()) {
                continue;
            }
            $group = \CSaleOrderPropsGroup::GetList(['SORT' => 'ASC'], ['PERSON_TYPE_ID' => $personTypeId])->Fetch();
            $groupId = $group ? (int) $group['ID'] : (int) \CSaleOrderPropsGroup::Add([
                'PERSON_TYPE_ID' => $personTypeId,
                'NAME' => 'Ozon Rocket',
                'SORT' => 1000,
            ]);
            $id = \CSaleOrderProps::Add([
                'PERSON_TYPE_ID' => $personTypeId,
                'NAME' => Loc::getMessage('OZONROCKET_PROPERTY_NAME'),
                'TYPE' => 'TEXT',
                'REQUIED' => 'N',
                'DEFAULT_VALUE' => '',
                'SORT' => 10000,
                'CODE' => $code,
                'USER_PROPS' => 'N',
                'IS_LOCATION' => 'N',
                'IS_LOCATION4TAX' => 'N',
                'PROPS_GROUP_ID' => $groupId,
                'DESCRIPTION' => Loc::getMessage('OZONROCKET_PROPERTY_DESCRIPTION'),
                'IS_EMAIL' => 'N',
                'IS_PROFILE_NAME' => 'N',
                'IS_PAYER' => 'N',
                'IS_FILTERED' => 'Y',
                'IS_ZIP' => 'N',
                'UTIL' => 'N',
            ]);
            if ($id) {
                $created[] = (int) $id;
            }
        }
        Option::set($this->MODULE_ID, self::CREATED_PROPERTIES_OPTION, implode(',', array_unique($created)));
    }

    /** @return list<int> ids of the order properties this module created */
    private function createdProperties(): array
    {
        $ids = [];
        foreach (explode(',', (string) Option::get($this->MODULE_ID, self::CREATED_PROPERTIES_OPTION, '')) as $id) {
            if ((int) $id > 0) {
                $ids[] = (int) $id;
            }
        }

        return $ids;
    }

    /** Only the properties this module created: a shop's own OZON_PVZ stays. */
    private function uninstallOrderProperty(): void
    {
        if (!Loader::includeModule('sale')) {
            return;
        }
        foreach ($this->createdProperties() as $id) {
            \CSaleOrderProps::Delete($id);
        }
    }

    /** Bitrix cannot load a service whose class is gone: switch ours off, keep their settings. */
    private function deactivateDeliveryServices(): void
    {
        if (!Loader::includeModule('sale')) {
            return;
        }
        $classes = [
            '\\OzonBridge\\OzonRocket\\Delivery\\OzonRocketHandler',
            '\\OzonBridge\\OzonRocket\\Delivery\\OzonRocketProfile',
        ];
        $services = \Bitrix\Sale\Delivery\Services\Manager::getList([
            'select' => ['ID'],
            'filter' => ['=CLASS_NAME' => array_merge($classes, array_map(static fn (string $c): string => ltrim($c, '\\'), $classes))],
        ]);
        while ($service = $services->fetch()) {
            \Bitrix\Sale\Delivery\Services\Manager::update((int) $service['ID'], ['ACTIVE' => 'N']);
        }
    }
}
