-- Marsana Fleet's business rules, Realtime's change capture and Storage's tables.
-- Idempotent: it runs on a new database after the seed (so the seed stays as written), and again on any database
-- whose recorded version of this script differs (a PostgreSQL database created by an older sandbox).

-- ---------------------------------------------------------------------------------------------------------------
-- Handshakes: PENDING → ACCEPTED → COMPLETED, or PENDING → REJECTED / CANCELLED. Nothing else.

-- security definer: it reads sandbox.faults, out of the API roles' reach.
create or replace function public.check_handshake_transition() returns trigger
language plpgsql security definer set search_path = public, pg_temp
as $$
begin
  if tg_op = 'INSERT' then
    if new.status <> 'PENDING' then
      raise exception 'a new handshake must be PENDING, not %', new.status
        using errcode = 'P0001', hint = 'Insert it as PENDING, then accept it.';
    end if;
    return new;
  end if;
  if new.status is not distinct from old.status then
    return new;
  end if;
  if not ((old.status = 'PENDING' and new.status in ('ACCEPTED', 'REJECTED', 'CANCELLED'))
       or (old.status = 'ACCEPTED' and new.status = 'COMPLETED'))
     and not sandbox.fault_on('handshake_rules_off') then
    raise exception 'illegal handshake transition: % → %', old.status, new.status
      using errcode = 'P0001',
            detail = format('Handshake %s is %s.', old.id, old.status),
            hint = 'Allowed: PENDING → ACCEPTED → COMPLETED, or PENDING → REJECTED / CANCELLED.';
  end if;
  if new.status = 'ACCEPTED' then
    new.accepted_at := coalesce(new.accepted_at, now());
    new.accepted_by := coalesce(new.accepted_by, auth.uid());
  elsif new.status = 'COMPLETED' then
    new.completed_at := coalesce(new.completed_at, now());
  end if;
  return new;
end $$;

-- security definer: the effects (vehicle status, the requester's email) are the app's, not the caller's to grant.
create or replace function public.on_handshake_status() returns trigger
language plpgsql security definer set search_path = public, pg_temp
as $$
declare
  plate text;
  requester public.profiles;
  destination text;
begin
  select v.plate into plate from public.vehicles v where v.id = new.vehicle_id;
  select b.name into destination from public.branches b where b.id = new.to_branch_id;
  if new.status = 'ACCEPTED' then
    if not sandbox.fault_on('accept_no_vehicle_status') then
      update public.vehicles set status = 'IN_TRANSIT' where id = new.vehicle_id;
    end if;
    select * into requester from public.profiles where id = new.requested_by;
    if found then
      insert into public.notifications (corporate_id, recipient_id, recipient_email, subject, body)
      values (new.corporate_id, requester.id, requester.email,
              format('Handshake accepted for %s', plate),
              format('Your transfer of %s to %s was accepted and the vehicle is now in transit.', plate, destination));
    end if;
  elsif new.status = 'COMPLETED' then
    update public.vehicles set status = 'AVAILABLE', branch_id = new.to_branch_id where id = new.vehicle_id;
  end if;
  return null;
end $$;

drop trigger if exists handshakes_check_transition on public.handshakes;
create trigger handshakes_check_transition before insert or update of status on public.handshakes
  for each row execute function public.check_handshake_transition();
drop trigger if exists handshakes_on_status on public.handshakes;
create trigger handshakes_on_status after update of status on public.handshakes
  for each row when (old.status is distinct from new.status)
  execute function public.on_handshake_status();

-- ---------------------------------------------------------------------------------------------------------------
-- Inspections: DAMAGE raises an alert and emails the tenant's admins and managers; SERVICE_DUE takes the vehicle
-- into service.

create or replace function public.on_inspection_result() returns trigger
language plpgsql security definer set search_path = public, pg_temp
as $$
declare
  plate text;
begin
  if tg_op = 'UPDATE' and new.result is not distinct from old.result then
    return null;
  end if;
  select v.plate into plate from public.vehicles v where v.id = new.vehicle_id;
  if new.result = 'DAMAGE' then
    insert into public.alerts (corporate_id, vehicle_id, kind, severity, message)
    values (new.corporate_id, new.vehicle_id, 'DAMAGE_REPORTED', 'WARNING',
            format('%s damaged: %s', plate, coalesce(new.notes, 'see the inspection')));
    insert into public.notifications (corporate_id, recipient_id, recipient_email, subject, body)
    select new.corporate_id, p.id, p.email, format('Damage reported on %s', plate),
           format('An inspection of %s found damage: %s', plate, coalesce(new.notes, 'see the inspection'))
      from public.profiles p
     where p.corporate_id = new.corporate_id and p.role in ('admin', 'manager');
  elsif new.result = 'SERVICE_DUE' then
    update public.vehicles set status = 'IN_SERVICE' where id = new.vehicle_id;
    insert into public.alerts (corporate_id, vehicle_id, kind, severity, message)
    values (new.corporate_id, new.vehicle_id, 'SERVICE_DUE', 'WARNING', format('%s is due for service', plate));
  end if;
  return null;
end $$;

drop trigger if exists inspections_on_result on public.inspections;
create trigger inspections_on_result after insert or update of result on public.inspections
  for each row execute function public.on_inspection_result();

-- ---------------------------------------------------------------------------------------------------------------
-- Vehicle documents: expired, or expiring within 30 days, raises a DOCUMENT_EXPIRY alert.

create or replace function public.on_document_expiry() returns trigger
language plpgsql security definer set search_path = public, pg_temp
as $$
declare
  plate text;
  expired boolean := new.expires_on < current_date;
begin
  if sandbox.fault_on('document_expiry_off') then
    return null;
  end if;
  if new.expires_on is null or new.expires_on > current_date + 30
     or (tg_op = 'UPDATE' and new.expires_on is not distinct from old.expires_on) then
    return null;
  end if;
  select v.plate into plate from public.vehicles v where v.id = new.vehicle_id;
  insert into public.alerts (corporate_id, vehicle_id, kind, severity, message)
  values (new.corporate_id, new.vehicle_id, 'DOCUMENT_EXPIRY', case when expired then 'CRITICAL' else 'WARNING' end,
          format('%s %s of %s %s %s', new.kind, new.number, plate,
                 case when expired then 'expired on' else 'expires on' end, new.expires_on));
  return null;
end $$;

drop trigger if exists vehicle_documents_on_expiry on public.vehicle_documents;
create trigger vehicle_documents_on_expiry after insert or update of expires_on on public.vehicle_documents
  for each row execute function public.on_document_expiry();

-- ---------------------------------------------------------------------------------------------------------------
-- Vehicle locations: a position outside every geofence of the vehicle's branch raises GEOFENCE_EXIT.

create or replace function public.haversine_m(lat1 double precision, lng1 double precision,
                                              lat2 double precision, lng2 double precision)
returns double precision
language sql immutable strict
as $$
  select 2 * 6371008.8 * asin(sqrt(
    power(sin(radians(lat2 - lat1) / 2), 2) +
    cos(radians(lat1)) * cos(radians(lat2)) * power(sin(radians(lng2 - lng1) / 2), 2)))
$$;

create or replace function public.on_vehicle_location() returns trigger
language plpgsql security definer set search_path = public, pg_temp
as $$
declare
  vehicle public.vehicles;
  fence public.geofences;
begin
  if sandbox.fault_on('geofence_off') then
    return null;
  end if;
  select * into vehicle from public.vehicles where id = new.vehicle_id;
  -- the nearest fence of the vehicle's branch, measured from its edge
  select g.* into fence
    from public.geofences g
   where g.branch_id = vehicle.branch_id
   order by public.haversine_m(new.lat, new.lng, g.center_lat, g.center_lng) - g.radius_m
   limit 1;
  if found and public.haversine_m(new.lat, new.lng, fence.center_lat, fence.center_lng) > fence.radius_m then
    insert into public.alerts (corporate_id, vehicle_id, kind, severity, message)
    values (new.corporate_id, new.vehicle_id, 'GEOFENCE_EXIT', 'WARNING',
            format('%s left %s (%s m from its centre)', vehicle.plate, fence.name,
                   round(public.haversine_m(new.lat, new.lng, fence.center_lat, fence.center_lng))));
  end if;
  return null;
end $$;

drop trigger if exists vehicle_locations_geofence on public.vehicle_locations;
create trigger vehicle_locations_geofence after insert on public.vehicle_locations
  for each row execute function public.on_vehicle_location();

-- ---------------------------------------------------------------------------------------------------------------
-- Notifications: the sandbox's mail sender (mail/mail-sender.ts) listens and sends the QUEUED ones.

create or replace function public.on_notification_queued() returns trigger
language plpgsql
as $$
begin
  if new.status = 'QUEUED' then
    perform pg_notify('sandbox_mail', new.id::text);
  end if;
  return null;
end $$;

drop trigger if exists notifications_queued on public.notifications;
create trigger notifications_queued after insert or update of status on public.notifications
  for each row execute function public.on_notification_queued();

-- ---------------------------------------------------------------------------------------------------------------
-- Remote procedures (POST /rest/v1/rpc/<name>). security invoker: they run as the caller, under its policies.

create or replace function public.accept_handshake(handshake_id uuid) returns public.handshakes
language plpgsql
as $$
declare
  accepted public.handshakes;
begin
  update public.handshakes set status = 'ACCEPTED', accepted_by = coalesce(auth.uid(), accepted_by)
   where id = handshake_id
  returning * into accepted;
  if not found then
    raise exception 'handshake % not found', handshake_id using errcode = 'PT404';
  end if;
  return accepted;
end $$;

create or replace function public.complete_handshake(handshake_id uuid) returns public.handshakes
language plpgsql
as $$
declare
  completed public.handshakes;
begin
  update public.handshakes set status = 'COMPLETED' where id = handshake_id returning * into completed;
  if not found then
    raise exception 'handshake % not found', handshake_id using errcode = 'PT404';
  end if;
  return completed;
end $$;

create or replace function public.open_alert_count() returns integer
language sql stable
as $$ select count(*)::integer from public.alerts where not resolved $$;

create or replace function public.vehicles_by_status(wanted text) returns setof public.vehicles
language sql stable
as $$ select * from public.vehicles where status = wanted order by plate $$;

grant execute on all functions in schema public to anon, authenticated, service_role;

-- ---------------------------------------------------------------------------------------------------------------
-- Realtime: every change of a published table is queued here and pg_notify'd; the sandbox drains the queue after
-- the commit (realtime/change-feed.ts) and sends each change to the subscribers allowed to see it.

create schema if not exists realtime;
revoke all on schema realtime from public;

create table if not exists realtime.changes (
  id bigint generated always as identity primary key,
  schema_name text not null,
  table_name text not null,
  type text not null,
  record jsonb,
  old_record jsonb,
  commit_timestamp timestamptz not null default clock_timestamp()
);

-- The old row holds only the primary key unless the table has REPLICA IDENTITY FULL, as in Supabase.
create or replace function realtime.capture_change() returns trigger
language plpgsql security definer set search_path = pg_catalog, pg_temp
as $$
declare
  old_json jsonb := case when tg_op <> 'INSERT' then to_jsonb(old) end;
begin
  if old_json is not null and (select relreplident from pg_class where oid = tg_relid) <> 'f' then
    select coalesce(jsonb_object_agg(key, value), '{}') into old_json
      from jsonb_each(old_json)
     where key in (select a.attname from pg_index i
                     join pg_attribute a on a.attrelid = i.indrelid and a.attnum = any (i.indkey)
                    where i.indrelid = tg_relid and i.indisprimary);
  end if;
  insert into realtime.changes (schema_name, table_name, type, record, old_record)
  values (tg_table_schema, tg_table_name, tg_op, case when tg_op <> 'DELETE' then to_jsonb(new) end, old_json);
  perform pg_notify('sandbox_realtime', '');
  return null;
end $$;

-- ---------------------------------------------------------------------------------------------------------------
-- Storage: buckets and object metadata as Supabase Storage keeps them; the bytes beside them, out of the API's
-- reach. The first folder of an object's name is the tenant (corporate id) it belongs to.

create schema if not exists storage;
grant usage on schema storage to anon, authenticated, service_role;

create table if not exists storage.buckets (
  id text primary key,
  name text not null unique,
  public boolean not null default false,
  file_size_limit bigint,
  allowed_mime_types text[],
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now()
);

create table if not exists storage.objects (
  id uuid primary key default gen_random_uuid(),
  bucket_id text not null references storage.buckets (id),
  name text not null,
  owner uuid,
  metadata jsonb not null default '{}',
  created_at timestamptz not null default now(),
  updated_at timestamptz not null default now(),
  last_accessed_at timestamptz not null default now(),
  unique (bucket_id, name)
);

create table if not exists storage.object_data (
  object_id uuid primary key references storage.objects (id) on delete cascade,
  bytes bytea not null
);

insert into storage.buckets (id, name, public, file_size_limit) values
  ('inspection-photos', 'inspection-photos', false, 10485760),
  ('vehicle-documents', 'vehicle-documents', false, 10485760),
  ('fleet-public', 'fleet-public', true, 10485760)
on conflict (id) do nothing;

grant select on storage.buckets to anon, authenticated, service_role;
grant all on storage.buckets to service_role;
grant select on storage.objects to anon;
grant select, insert, update, delete on storage.objects to authenticated, service_role;
revoke all on storage.object_data from anon, authenticated, service_role;

alter table storage.buckets enable row level security;
alter table storage.objects enable row level security;

drop policy if exists buckets_select on storage.buckets;
create policy buckets_select on storage.buckets for select to anon, authenticated using (true);

drop policy if exists objects_select on storage.objects;
create policy objects_select on storage.objects for select to authenticated
  using (split_part(name, '/', 1) = public.current_corporate_id()::text);
drop policy if exists objects_insert on storage.objects;
create policy objects_insert on storage.objects for insert to authenticated
  with check (split_part(name, '/', 1) = public.current_corporate_id()::text);
drop policy if exists objects_update on storage.objects;
create policy objects_update on storage.objects for update to authenticated
  using (split_part(name, '/', 1) = public.current_corporate_id()::text)
  with check (split_part(name, '/', 1) = public.current_corporate_id()::text);
drop policy if exists objects_delete on storage.objects;
create policy objects_delete on storage.objects for delete to authenticated
  using (split_part(name, '/', 1) = public.current_corporate_id()::text);
