-- Marsana Fleet: schema of a new database. Runs once, when public.vehicles does not exist yet.
-- Row-level security policies live in policies.ts and are re-applied at every start.

create schema if not exists auth;

-- ---------------------------------------------------------------------------------------------------------------
-- auth: the tables GoTrue keeps, reduced to what the sandbox's auth server uses.

create table auth.users (
  id uuid primary key default gen_random_uuid(),
  aud text not null default 'authenticated',
  role text not null default 'authenticated',
  email text not null unique check (email = lower(email)),
  -- scrypt hash written by the sandbox in Node ("scrypt$N$r$p$salt$hash"); null for users without a password
  encrypted_password text,
  email_confirmed_at timestamptz,
  last_sign_in_at timestamptz,
  raw_app_meta_data jsonb not null default '{"provider":"email","providers":["email"]}',
  raw_user_meta_data jsonb not null default '{}',
  is_anonymous boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table auth.sessions (
  id uuid primary key default gen_random_uuid(),
  user_id uuid not null references auth.users (id) on delete cascade,
  aal text not null default 'aal1',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index sessions_user_id_idx on auth.sessions (user_id);

create table auth.refresh_tokens (
  id bigint generated always as identity primary key,
  token text not null unique,
  user_id uuid not null references auth.users (id) on delete cascade,
  session_id uuid not null references auth.sessions (id) on delete cascade,
  parent text,
  revoked boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index refresh_tokens_user_id_idx on auth.refresh_tokens (user_id);
create index refresh_tokens_session_id_idx on auth.refresh_tokens (session_id);

-- The signed-in user's id, as Supabase defines it. nullif: an unset custom setting reads as '' (not null) once it
-- has been set in an earlier transaction of the same connection, and on PGlite even before.
create or replace function auth.uid() returns uuid
language sql stable
as $$ select nullif(nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub', '')::uuid $$;

create or replace function auth.role() returns text
language sql stable
as $$ select nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role' $$;

create or replace function auth.jwt() returns jsonb
language sql stable
as $$ select coalesce(nullif(current_setting('request.jwt.claims', true), ''), '{}')::jsonb $$;

grant usage on schema auth to anon, authenticated, service_role;
grant execute on function auth.uid(), auth.role(), auth.jwt() to anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------------------------------
-- public: Marsana Fleet. Every tenant table carries corporate_id; the policies compare it with the caller's.

create table public.corporates (
  id uuid primary key default gen_random_uuid(),
  name text not null unique,
  slug text not null unique,
  is_synthetic boolean not null default false,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table public.branches (
  id uuid primary key default gen_random_uuid(),
  corporate_id uuid not null references public.corporates (id) on delete cascade,
  name text not null,
  city text not null,
  lat double precision,
  lng double precision,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  unique (corporate_id, name)
);
create index branches_corporate_id_idx on public.branches (corporate_id);

create table public.profiles (
  id uuid primary key references auth.users (id) on delete cascade,
  corporate_id uuid not null references public.corporates (id) on delete cascade,
  branch_id uuid references public.branches (id) on delete set null,
  email text not null,
  full_name text,
  role text not null default 'driver' check (role in ('admin', 'manager', 'driver', 'inspector')),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index profiles_corporate_id_idx on public.profiles (corporate_id);
create index profiles_branch_id_idx on public.profiles (branch_id);
create index profiles_role_idx on public.profiles (role);

create table public.vehicles (
  id uuid primary key default gen_random_uuid(),
  corporate_id uuid not null references public.corporates (id) on delete cascade,
  branch_id uuid not null references public.branches (id),
  plate text not null unique,
  make text not null,
  model text not null,
  year integer not null check (year between 1980 and 2100),
  status text not null default 'AVAILABLE' check (status in ('AVAILABLE', 'IN_TRANSIT', 'IN_SERVICE', 'OUT_OF_SERVICE')),
  odometer_km integer not null default 0 check (odometer_km >= 0),
  lat double precision,
  lng double precision,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index vehicles_corporate_id_idx on public.vehicles (corporate_id);
create index vehicles_branch_id_idx on public.vehicles (branch_id);
create index vehicles_status_idx on public.vehicles (status);

create table public.vehicle_documents (
  id uuid primary key default gen_random_uuid(),
  corporate_id uuid not null references public.corporates (id) on delete cascade,
  vehicle_id uuid not null references public.vehicles (id) on delete cascade,
  kind text not null check (kind in ('REGISTRATION', 'INSURANCE', 'INSPECTION_CERTIFICATE', 'PERMIT')),
  number text not null,
  file_path text,
  expires_on date,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index vehicle_documents_corporate_id_idx on public.vehicle_documents (corporate_id);
create index vehicle_documents_vehicle_id_idx on public.vehicle_documents (vehicle_id);

create table public.vehicle_locations (
  id uuid primary key default gen_random_uuid(),
  corporate_id uuid not null references public.corporates (id) on delete cascade,
  vehicle_id uuid not null references public.vehicles (id) on delete cascade,
  lat double precision not null,
  lng double precision not null,
  speed_kmh double precision,
  recorded_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index vehicle_locations_corporate_id_idx on public.vehicle_locations (corporate_id);
create index vehicle_locations_vehicle_id_idx on public.vehicle_locations (vehicle_id, recorded_at desc);

create table public.geofences (
  id uuid primary key default gen_random_uuid(),
  corporate_id uuid not null references public.corporates (id) on delete cascade,
  branch_id uuid references public.branches (id) on delete set null,
  name text not null,
  center_lat double precision not null,
  center_lng double precision not null,
  radius_m integer not null check (radius_m > 0),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index geofences_corporate_id_idx on public.geofences (corporate_id);
create index geofences_branch_id_idx on public.geofences (branch_id);

create table public.handshakes (
  id uuid primary key default gen_random_uuid(),
  corporate_id uuid not null references public.corporates (id) on delete cascade,
  vehicle_id uuid not null references public.vehicles (id) on delete cascade,
  from_branch_id uuid not null references public.branches (id),
  to_branch_id uuid not null references public.branches (id),
  requested_by uuid references public.profiles (id) on delete set null,
  accepted_by uuid references public.profiles (id) on delete set null,
  status text not null default 'PENDING' check (status in ('PENDING', 'ACCEPTED', 'COMPLETED', 'REJECTED', 'CANCELLED')),
  notes text,
  requested_at timestamptz not null default now(),
  accepted_at timestamptz,
  completed_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  check (from_branch_id <> to_branch_id)
);
create index handshakes_corporate_id_idx on public.handshakes (corporate_id);
create index handshakes_vehicle_id_idx on public.handshakes (vehicle_id);
create index handshakes_from_branch_id_idx on public.handshakes (from_branch_id);
create index handshakes_to_branch_id_idx on public.handshakes (to_branch_id);
create index handshakes_requested_by_idx on public.handshakes (requested_by);
create index handshakes_accepted_by_idx on public.handshakes (accepted_by);
create index handshakes_status_idx on public.handshakes (status);

create table public.inspections (
  id uuid primary key default gen_random_uuid(),
  corporate_id uuid not null references public.corporates (id) on delete cascade,
  vehicle_id uuid not null references public.vehicles (id) on delete cascade,
  handshake_id uuid references public.handshakes (id) on delete set null,
  inspector_id uuid references public.profiles (id) on delete set null,
  checklist jsonb not null default '{}',
  photo_path text,
  result text not null check (result in ('PASS', 'DAMAGE', 'SERVICE_DUE')),
  notes text,
  inspected_at timestamptz not null default now(),
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index inspections_corporate_id_idx on public.inspections (corporate_id);
create index inspections_vehicle_id_idx on public.inspections (vehicle_id);
create index inspections_handshake_id_idx on public.inspections (handshake_id);
create index inspections_inspector_id_idx on public.inspections (inspector_id);
create index inspections_result_idx on public.inspections (result);

create table public.alerts (
  id uuid primary key default gen_random_uuid(),
  corporate_id uuid not null references public.corporates (id) on delete cascade,
  vehicle_id uuid references public.vehicles (id) on delete cascade,
  kind text not null check (kind in ('GEOFENCE_EXIT', 'DOCUMENT_EXPIRY', 'SERVICE_DUE', 'DAMAGE_REPORTED', 'SPEEDING')),
  severity text not null check (severity in ('INFO', 'WARNING', 'CRITICAL')),
  message text not null,
  resolved boolean not null default false,
  resolved_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index alerts_corporate_id_idx on public.alerts (corporate_id);
create index alerts_vehicle_id_idx on public.alerts (vehicle_id);
create index alerts_resolved_idx on public.alerts (resolved);

create table public.notifications (
  id uuid primary key default gen_random_uuid(),
  corporate_id uuid not null references public.corporates (id) on delete cascade,
  recipient_id uuid references public.profiles (id) on delete set null,
  recipient_email text not null,
  subject text not null,
  body text not null,
  status text not null default 'QUEUED' check (status in ('QUEUED', 'SENT', 'FAILED')),
  sent_at timestamptz,
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);
create index notifications_corporate_id_idx on public.notifications (corporate_id);
create index notifications_recipient_id_idx on public.notifications (recipient_id);
create index notifications_status_idx on public.notifications (status);

-- The audit trail outlives what it describes: no foreign keys, so deleting a vehicle keeps its history.
create table public.audit_logs (
  id uuid primary key default gen_random_uuid(),
  corporate_id uuid,
  actor_id uuid,
  table_name text not null,
  record_id uuid,
  action text not null check (action in ('INSERT', 'UPDATE', 'DELETE')),
  old_row jsonb,
  new_row jsonb,
  created_at timestamptz not null default now()
);
create index audit_logs_corporate_id_idx on public.audit_logs (corporate_id, created_at desc);
create index audit_logs_actor_id_idx on public.audit_logs (actor_id);
create index audit_logs_record_idx on public.audit_logs (table_name, record_id);

-- ---------------------------------------------------------------------------------------------------------------
-- Functions and triggers

-- The caller's tenant. security definer: it reads profiles as the owner, so the profiles policy can use it
-- without recursing into itself.
create or replace function public.current_corporate_id() returns uuid
language sql stable security definer set search_path = public, pg_temp
as $$ select corporate_id from public.profiles where id = auth.uid() $$;

create or replace function public.touch_updated_at() returns trigger
language plpgsql
as $$
begin
  new.updated_at := now();
  return new;
end $$;

-- A new auth user with a corporate_id in its user metadata gets its Marsana Fleet profile, as the app's
-- sign-up trigger does; admin.createUser({ user_metadata: { corporate_id, role } }) thus makes a working user.
create or replace function public.handle_new_user() returns trigger
language plpgsql security definer set search_path = public, pg_temp
as $$
begin
  if new.raw_user_meta_data ? 'corporate_id' then
    insert into public.profiles (id, corporate_id, branch_id, email, full_name, role)
    values (
      new.id,
      (new.raw_user_meta_data ->> 'corporate_id')::uuid,
      (new.raw_user_meta_data ->> 'branch_id')::uuid,
      new.email,
      new.raw_user_meta_data ->> 'full_name',
      coalesce(new.raw_user_meta_data ->> 'role', 'driver')
    );
  end if;
  return new;
end $$;

create trigger on_auth_user_created after insert on auth.users
  for each row execute function public.handle_new_user();

-- ---------------------------------------------------------------------------------------------------------------
-- Grants as in Supabase: the API roles may reach every table; row-level security decides which rows.

grant usage on schema public to anon, authenticated, service_role;
grant all on all tables in schema public to anon, authenticated, service_role;
grant all on all sequences in schema public to anon, authenticated, service_role;
grant execute on all functions in schema public to anon, authenticated, service_role;
