<?php

declare(strict_types=1);

namespace OzonBridge\OzonRocket\Rest;

/** Who may change orders over REST: an admin, or a user with write access to the sale module. */
final class Access
{
    private function __construct()
    {
    }

    public static function canManageOrders(): bool
    {
        $user = $GLOBALS['USER'] ?? null;
        $application = $GLOBALS['APPLICATION'] ?? null;
        if (!is_object($user)) {
            return false;
        }
        if ($user->IsAdmin()) {
            return true;
        }

        return is_object($application) && (string) $application->GetGroupRight('sale') >= 'W';
    }
}
