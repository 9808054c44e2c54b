<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Delivery;

use Bitrix\Main\Config\Option;
use OzonBridge\OzonRocket\Bridge\BridgeClient;
use OzonBridge\OzonRocket\Bridge\BridgeError;
use OzonBridge\OzonRocket\Bridge\Transport;
use OzonBridge\OzonRocket\Logger;
use OzonBridge\OzonRocket\Messages;
use OzonBridge\OzonRocket\Module;

/**
 * Keeps the bridge's copy of a delivery service's settings equal to what the admin saved
 * (PUT /api/v1/shops/{shop}/delivery-services/{id}); remembers the outcome for the edit page.
 */
final class ConfigMirror
{
    private const OPTION_PREFIX = 'mirror_';

    public function __construct(private readonly Transport $transport, private readonly Logger $logger)
    {
    }

    /** @return bool true when the bridge holds these settings now */
    public function mirror(ServiceConfig $config): bool
    {
        $problems = $config->problems();
        if ($problems !== []) {
            self::remember($config->deliveryId, false, implode(' ', $problems));

            return false;
        }
        try {
            (new BridgeClient($this->transport, $config->endpoint))
                ->putDeliveryService($config->deliveryId, $config->toBridgePayload());
        } catch (BridgeError $e) {
            $this->logger->warning('SETTINGS_MIRROR_FAILED', $e->getMessage(), (string) $config->deliveryId);
            self::remember($config->deliveryId, false, $e->getMessage());

            return false;
        }
        self::remember($config->deliveryId, true, '');

        return true;
    }

    /**
     * For Base::getAdminMessage(): ["MESSAGE", "TYPE" => "OK"|"ERROR", "DETAILS"].
     *
     * @return array<string, string|bool>
     */
    public static function adminMessage(int $deliveryId): array
    {
        $stored = json_decode((string) Option::get(Module::ID, self::OPTION_PREFIX . $deliveryId, ''), true);
        if (!is_array($stored)) {
            return [];
        }
        $when = date('d.m.Y H:i:s', (int) ($stored['at'] ?? 0));
        if (!empty($stored['ok'])) {
            return ['MESSAGE' => Messages::get('OZONROCKET_MIRROR_OK', ['#AT#' => $when]), 'TYPE' => 'OK', 'HTML' => false];
        }

        return [
            'MESSAGE' => Messages::get('OZONROCKET_MIRROR_FAILED', ['#AT#' => $when]),
            'TYPE' => 'ERROR',
            'DETAILS' => (string) ($stored['message'] ?? ''),
            'HTML' => false,
        ];
    }

    public static function forgetService(int $deliveryId): void
    {
        Option::delete(Module::ID, ['name' => self::OPTION_PREFIX . $deliveryId]);
    }

    private static function remember(int $deliveryId, bool $ok, string $message): void
    {
        Option::set(
            Module::ID,
            self::OPTION_PREFIX . $deliveryId,
            (string) json_encode(['ok' => $ok, 'message' => mb_substr($message, 0, 1000), 'at' => time()], JSON_UNESCAPED_UNICODE),
        );
    }
}
