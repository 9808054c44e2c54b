<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Tests;

use Bitrix\Main\Config\Option;
use Bitrix\Main\EventManager;
use Bitrix\Main\Page\Asset;
use Bitrix\Sale\Delivery\Services\Manager;
use Bitrix\Sale\Internals\UserBudgetPool;
use Bitrix\Sale\Order;
use Bitrix\Sale\PaySystem\Service;
use OzonBridge\OzonRocket\Bridge\TransportResponse;
use OzonBridge\OzonRocket\Delivery\DeliveryCalculator;
use OzonBridge\OzonRocket\Event\OrderEventHandler;
use OzonBridge\OzonRocket\Options;
use OzonBridge\OzonRocket\Services;
use PHPUnit\Framework\TestCase;

/**
 * Every test starts from an empty shop whose event handlers are registered exactly as
 * install/index.php registers them, and a fake bridge that accepts settings.
 */
abstract class ModuleTestCase extends TestCase
{
    protected FakeTransport $bridge;
    protected MemoryLogger $logger;
    protected InMemoryOperationStore $operations;

    /** @var (callable(string, string, mixed): (TransportResponse|\OzonBridge\OzonRocket\Bridge\TransportException))|null */
    protected $route = null;

    protected function setUp(): void
    {
        Services::reset();
        DeliveryCalculator::forget();
        OrderEventHandler::reset();
        Order::reset();
        Manager::reset();
        EventManager::reset();
        Asset::reset();
        Option::$values = [];
        Service::$refunds = [];
        Service::$attempts = [];
        UserBudgetPool::reset();
        \CSaleUserAccount::$updates = [];
        \CSaleUserAccount::$succeeds = true;
        \CSaleUserAccount::$locked = [];
        $GLOBALS['USER'] = new \TestUser(true);
        $GLOBALS['APPLICATION'] = new \TestApplication();

        $this->bridge = new FakeTransport(function (string $method, string $path, mixed $body) {
            if ($this->route !== null) {
                return ($this->route)($method, $path, $body);
            }
            if ($method === 'PUT') {
                return FakeTransport::json(201, ['version' => 1]);
            }

            return FakeTransport::problem(404, 'Not Found');
        });
        $this->logger = new MemoryLogger();
        $this->operations = new InMemoryOperationStore();
        Services::override($this->bridge, $this->operations, new Options(), $this->logger);

        (new \ozonbridge_ozonrocket())->InstallEvents();
    }

    protected function useOptions(Options $options): void
    {
        Services::override(options: $options);
    }

    /** @param callable(string, string, mixed): (TransportResponse|\OzonBridge\OzonRocket\Bridge\TransportException) $route */
    protected function bridgeAnswers(callable $route): void
    {
        $this->route = $route;
    }
}
