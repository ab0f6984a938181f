import type { FastifyInstance } from 'fastify';
import { registerCollectorRoutes } from '../collector/routes';
import { registerSendProxyRoute } from '../dialog360/routes';
import { registerIngestRoutes } from '../ingest/routes';
import type { HostApi } from '../kernel/host-api';

/** A module that adds HTTP routes outside /api (webhook receiver, external events, send proxy, sync). */
export type RegisterRoutes = (app: FastifyInstance, host: HostApi) => Promise<void> | void;

// Each area appends its receiver here.
export const receiverRoutes: RegisterRoutes[] = [];
receiverRoutes.push(registerSendProxyRoute, registerCollectorRoutes);
receiverRoutes.push(registerIngestRoutes);
