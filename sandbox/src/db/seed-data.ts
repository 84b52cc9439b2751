/**
 * The sandbox's fixed data set: the same ids and values at every start, so that tests and people can refer to
 * them. Timestamps are fixed too; only what the database stamps itself (created_at, audit rows) varies.
 */

export type Row = Record<string, unknown>;
export type ProfileRole = 'admin' | 'manager' | 'driver' | 'inspector';
export const VEHICLE_STATUSES = ['AVAILABLE', 'IN_TRANSIT', 'IN_SERVICE', 'OUT_OF_SERVICE'] as const;
export type VehicleStatus = (typeof VEHICLE_STATUSES)[number];

/** Documented sandbox passwords (local only; see sandbox/README.md). */
export const SEED_PASSWORDS = {
  staff: 'marsana-sandbox-password',
  smoke: 'smoke-sandbox-password',
} as const;

const ENTITY_PREFIX = {
  corporate: 'c0000000',
  branch: 'b0000000',
  user: 'e0000000',
  vehicle: 'a0000000',
  document: 'd0000000',
  location: 'd1000000',
  geofence: 'ce000000',
  handshake: 'ba000000',
  inspection: 'f0000000',
  alert: 'a1000000',
  notification: 'f1000000',
} as const;

/** A readable fixed UUID (version 4 layout): the prefix says what it is, the tail counts. */
export function seedId(entity: keyof typeof ENTITY_PREFIX, n: number): string {
  return `${ENTITY_PREFIX[entity]}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
}

interface TenantFixture {
  key: 'marsana' | 'northwind' | 'synthetic';
  name: string;
  slug: string;
  isSynthetic: boolean;
  emailDomain: string;
  plate: (n: number) => string;
  vehicleCount: number;
  /** statuses repeat in this pattern over the tenant's vehicles */
  statusPattern: readonly VehicleStatus[];
  branches: readonly { name: string; city: string; lat: number; lng: number }[];
  users: readonly { localPart: string; role: ProfileRole; fullName: string; password: string }[];
}

const staff = (corporate: string) =>
  (['admin', 'manager', 'driver', 'inspector'] as const).map((role) => ({
    localPart: role,
    role,
    fullName: `${corporate} ${role[0]!.toUpperCase()}${role.slice(1)}`,
    password: SEED_PASSWORDS.staff,
  }));

const TENANTS: readonly TenantFixture[] = [
  {
    key: 'marsana',
    name: 'Marsana Logistics',
    slug: 'marsana-logistics',
    isSynthetic: false,
    emailDomain: 'marsana.test',
    plate: (n) => `MRS-${1000 + n}`,
    vehicleCount: 24,
    statusPattern: ['AVAILABLE', 'AVAILABLE', 'IN_TRANSIT', 'AVAILABLE', 'IN_SERVICE', 'OUT_OF_SERVICE'],
    branches: [
      { name: 'Riyadh Central', city: 'Riyadh', lat: 24.7136, lng: 46.6753 },
      { name: 'Jeddah Port', city: 'Jeddah', lat: 21.4858, lng: 39.1925 },
      { name: 'Dammam Yard', city: 'Dammam', lat: 26.4207, lng: 50.0888 },
    ],
    users: staff('Marsana'),
  },
  {
    key: 'northwind',
    name: 'Northwind Rentals',
    slug: 'northwind-rentals',
    isSynthetic: false,
    emailDomain: 'northwind.test',
    plate: (n) => `NWR-${2000 + n}`,
    vehicleCount: 18,
    statusPattern: ['AVAILABLE', 'IN_TRANSIT', 'AVAILABLE', 'IN_SERVICE', 'AVAILABLE', 'OUT_OF_SERVICE'],
    branches: [
      { name: 'Dubai Airport', city: 'Dubai', lat: 25.2532, lng: 55.3657 },
      { name: 'Abu Dhabi Downtown', city: 'Abu Dhabi', lat: 24.4539, lng: 54.3773 },
    ],
    users: staff('Northwind'),
  },
  {
    key: 'synthetic',
    name: 'Marsana Synthetic Monitoring',
    slug: 'marsana-synthetic-monitoring',
    isSynthetic: true,
    emailDomain: 'synthetic.marsana.test',
    plate: (n) => `SYN-${String(n).padStart(4, '0')}`,
    vehicleCount: 8,
    statusPattern: VEHICLE_STATUSES,
    branches: [
      { name: 'Synthetic Branch A', city: 'Riyadh', lat: 24.7743, lng: 46.7386 },
      { name: 'Synthetic Branch B', city: 'Jeddah', lat: 21.5433, lng: 39.1728 },
    ],
    users: [{ localPart: 'smoke', role: 'manager', fullName: 'Synthetic Smoke User', password: SEED_PASSWORDS.smoke }],
  },
];

const VEHICLE_MODELS = [
  ['Toyota', 'Hilux'],
  ['Ford', 'Transit'],
  ['Mercedes-Benz', 'Sprinter'],
  ['Isuzu', 'D-Max'],
  ['Nissan', 'Navara'],
  ['Hyundai', 'H-1'],
  ['Volkswagen', 'Crafter'],
  ['Mitsubishi', 'L200'],
] as const;

const BASE_TIME = Date.parse('2025-01-06T08:00:00Z');
const at = (hours: number) => new Date(BASE_TIME + hours * 3_600_000).toISOString();
const round = (value: number) => Math.round(value * 1e6) / 1e6;

export interface SeedUser {
  id: string;
  email: string;
  password: string;
  role: ProfileRole;
  fullName: string;
  corporateId: string;
  corporateName: string;
  branchId: string;
}

export interface SeedTenant {
  id: string;
  name: string;
  isSynthetic: boolean;
  vehicleCount: number;
  branchIds: string[];
}

export interface SeedData {
  tenants: SeedTenant[];
  users: SeedUser[];
  /** rows per table, in insertion order, written before the users (profiles reference them) */
  organisations: { table: string; rows: Row[] }[];
  /** rows per table, in insertion order, written after the users (they reference profiles) */
  fleet: { table: string; rows: Row[] }[];
}

export function buildSeed(): SeedData {
  const counters = new Map<keyof typeof ENTITY_PREFIX, number>();
  const next = (entity: keyof typeof ENTITY_PREFIX) => {
    const n = (counters.get(entity) ?? 0) + 1;
    counters.set(entity, n);
    return seedId(entity, n);
  };
  const rows = {
    corporates: [] as Row[],
    branches: [] as Row[],
    vehicles: [] as Row[],
    vehicle_documents: [] as Row[],
    vehicle_locations: [] as Row[],
    geofences: [] as Row[],
    handshakes: [] as Row[],
    inspections: [] as Row[],
    alerts: [] as Row[],
    notifications: [] as Row[],
  };
  const tenants: SeedTenant[] = [];
  const users: SeedUser[] = [];

  for (const tenant of TENANTS) {
    const corporateId = next('corporate');
    rows.corporates.push({ id: corporateId, name: tenant.name, slug: tenant.slug, is_synthetic: tenant.isSynthetic });

    const branches = tenant.branches.map((branch) => ({ id: next('branch'), ...branch }));
    for (const branch of branches) rows.branches.push({ corporate_id: corporateId, ...branch });
    const [home, away] = branches as [(typeof branches)[0], (typeof branches)[0]];

    const tenantUsers = tenant.users.map((user) => ({
      id: next('user'),
      email: `${user.localPart}@${tenant.emailDomain}`,
      password: user.password,
      role: user.role,
      fullName: user.fullName,
      corporateId,
      corporateName: tenant.name,
      branchId: home.id,
    }));
    users.push(...tenantUsers);
    const byRole = (role: ProfileRole) => (tenantUsers.find((u) => u.role === role) ?? tenantUsers[0]!).id;

    const vehicles = Array.from({ length: tenant.vehicleCount }, (_, i) => {
      const branch = branches[i % branches.length]!;
      const [make, model] = VEHICLE_MODELS[i % VEHICLE_MODELS.length]!;
      return {
        id: next('vehicle'),
        corporate_id: corporateId,
        branch_id: branch.id,
        plate: tenant.plate(i + 1),
        make,
        model,
        year: 2018 + ((i * 3) % 7),
        status: tenant.statusPattern[i % tenant.statusPattern.length]!,
        odometer_km: 12_000 + i * 7_350,
        lat: round(branch.lat + 0.01 * ((i % 5) - 2)),
        lng: round(branch.lng + 0.01 * ((i % 3) - 1)),
      };
    });
    rows.vehicles.push(...vehicles);
    const [v1, v2, v3] = vehicles as [(typeof vehicles)[0], (typeof vehicles)[0], (typeof vehicles)[0]];

    for (const [i, vehicle] of [v1, v2, v3].entries()) {
      rows.vehicle_documents.push(
        {
          id: next('document'), corporate_id: corporateId, vehicle_id: vehicle.id, kind: 'REGISTRATION',
          number: `REG-${vehicle.plate}`, file_path: `documents/${vehicle.plate}/registration.pdf`, expires_on: `202${6 + i}-06-30`,
        },
        {
          id: next('document'), corporate_id: corporateId, vehicle_id: vehicle.id, kind: 'INSURANCE',
          number: `INS-${vehicle.plate}`, file_path: `documents/${vehicle.plate}/insurance.pdf`, expires_on: `2025-1${i}-01`,
        },
      );
    }
    for (const vehicle of vehicles.slice(0, 4)) {
      for (let step = 0; step < 3; step++) {
        rows.vehicle_locations.push({
          id: next('location'), corporate_id: corporateId, vehicle_id: vehicle.id,
          lat: round(vehicle.lat + 0.002 * step), lng: round(vehicle.lng + 0.001 * step),
          speed_kmh: step === 0 ? 0 : 35 + 10 * step, recorded_at: at(step * 0.25),
        });
      }
    }
    for (const branch of branches) {
      rows.geofences.push({
        id: next('geofence'), corporate_id: corporateId, branch_id: branch.id, name: `${branch.name} perimeter`,
        center_lat: branch.lat, center_lng: branch.lng, radius_m: 750,
      });
    }

    const requester = byRole('manager');
    const driver = byRole('driver');
    const handshakes = [
      { vehicle: v1, status: 'COMPLETED', accepted: true, completed: true, notes: 'Routine transfer' },
      { vehicle: v2, status: 'ACCEPTED', accepted: true, completed: false, notes: 'Driver on the way' },
      { vehicle: v3, status: 'PENDING', accepted: false, completed: false, notes: null },
    ].map((h, i) => ({
      id: next('handshake'), corporate_id: corporateId, vehicle_id: h.vehicle.id,
      from_branch_id: home.id, to_branch_id: away.id, requested_by: requester,
      accepted_by: h.accepted ? driver : null, status: h.status, notes: h.notes,
      requested_at: at(24 * i), accepted_at: h.accepted ? at(24 * i + 1) : null,
      completed_at: h.completed ? at(24 * i + 6) : null,
    }));
    rows.handshakes.push(...handshakes);

    const inspector = byRole('inspector');
    rows.inspections.push(
      {
        id: next('inspection'), corporate_id: corporateId, vehicle_id: v1.id, handshake_id: handshakes[0]!.id,
        inspector_id: inspector, checklist: { tyres: true, lights: true, body: true, fuel_level: 'FULL' },
        photo_path: null, result: 'PASS', notes: 'No findings', inspected_at: at(6),
      },
      {
        id: next('inspection'), corporate_id: corporateId, vehicle_id: v2.id, handshake_id: handshakes[1]!.id,
        inspector_id: inspector, checklist: { tyres: true, lights: true, body: false, fuel_level: 'HALF' },
        photo_path: `inspections/${v2.plate}/rear-bumper.jpg`, result: 'DAMAGE', notes: 'Scratch on the rear bumper',
        inspected_at: at(25),
      },
      {
        id: next('inspection'), corporate_id: corporateId, vehicle_id: v3.id, handshake_id: null,
        inspector_id: inspector, checklist: { tyres: false, lights: true, body: true, fuel_level: 'LOW' },
        photo_path: null, result: 'SERVICE_DUE', notes: 'Front tyres worn', inspected_at: at(49),
      },
    );
    rows.alerts.push(
      {
        id: next('alert'), corporate_id: corporateId, vehicle_id: v3.id, kind: 'SERVICE_DUE', severity: 'WARNING',
        message: `${v3.plate} is due for service`, resolved: false, resolved_at: null,
      },
      {
        id: next('alert'), corporate_id: corporateId, vehicle_id: v1.id, kind: 'GEOFENCE_EXIT', severity: 'INFO',
        message: `${v1.plate} left ${home.name} perimeter`, resolved: true, resolved_at: at(2),
      },
    );
    const recipient = tenantUsers.find((u) => u.id === requester)!;
    rows.notifications.push(
      {
        id: next('notification'), corporate_id: corporateId, recipient_id: recipient.id, recipient_email: recipient.email,
        subject: `Handshake completed for ${v1.plate}`, body: `${v1.plate} arrived at ${away.name}.`, status: 'SENT',
        sent_at: at(6),
      },
      {
        id: next('notification'), corporate_id: corporateId, recipient_id: recipient.id, recipient_email: recipient.email,
        subject: `Service due for ${v3.plate}`, body: `${v3.plate} needs new front tyres.`, status: 'QUEUED', sent_at: null,
      },
    );
    tenants.push({
      id: corporateId,
      name: tenant.name,
      isSynthetic: tenant.isSynthetic,
      vehicleCount: vehicles.length,
      branchIds: branches.map((b) => b.id),
    });
  }

  return {
    tenants,
    users,
    organisations: [
      { table: 'corporates', rows: rows.corporates },
      { table: 'branches', rows: rows.branches },
    ],
    fleet: [
      { table: 'vehicles', rows: rows.vehicles },
      { table: 'vehicle_documents', rows: rows.vehicle_documents },
      { table: 'vehicle_locations', rows: rows.vehicle_locations },
      { table: 'geofences', rows: rows.geofences },
      { table: 'handshakes', rows: rows.handshakes },
      { table: 'inspections', rows: rows.inspections },
      { table: 'alerts', rows: rows.alerts },
      { table: 'notifications', rows: rows.notifications },
    ],
  };
}

/** The seeded accounts, for the CLI banner, the README and tests. */
export const SEED = buildSeed();
export const SMOKE_USER = SEED.users.find((user) => user.email === 'smoke@synthetic.marsana.test')!;
